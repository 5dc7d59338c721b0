"""People's accounts in one app: sign-up and password login (argon2id)."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts_center_demo.family.login_names import InvalidLoginName, LoginKind
from accounts_center_demo.family.models import User

MIN_PASSWORD = 8
MAX_PASSWORD = 256
MAX_NAME = 60


class SignUpRefused(ValueError):
    """What was typed cannot make an account; ``errors`` maps a field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Accounts:
    kind: LoginKind
    hasher: PasswordHasher

    @classmethod
    def with_cost(cls, kind: LoginKind, time_cost: int, memory_kib: int,
                  parallelism: int) -> Accounts:
        return cls(kind, PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                        parallelism=parallelism))

    def sign_up(self, db: Session, login: str, password: str, display_name: str) -> User:
        errors: dict[str, str] = {}
        try:
            normalised = self.kind.normalise(login)
        except InvalidLoginName as error:
            errors["login"] = str(error)
            normalised = ""
        if normalised and db.scalar(select(User.id).where(User.login == normalised)):
            errors["login"] = f"That {self.kind.label.lower()} already has an account."
        name = " ".join(display_name.split())
        if not name or len(name) > MAX_NAME or not name.isprintable():
            errors["display_name"] = f"Enter a name of 1 to {MAX_NAME} characters."
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            errors["password"] = f"Use a password of at least {MIN_PASSWORD} characters."
        if errors:
            raise SignUpRefused(errors)
        user = User(login=normalised, display_name=name,
                    password_hash=self.hasher.hash(password))
        db.add(user)
        db.flush()
        return user

    def authenticate(self, db: Session, login: str, password: str) -> User | None:
        """The user whose login and password these are; None for any mismatch."""
        try:
            normalised = self.kind.normalise(login)
        except InvalidLoginName:
            return None
        user = db.scalar(select(User).where(User.login == normalised))
        if user is None or len(password) > MAX_PASSWORD:
            # Spend the same time as a real check, so timing does not tell who exists.
            self.hasher.hash(password[:MAX_PASSWORD])
            return None
        try:
            self.hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(user.password_hash):
            user.password_hash = self.hasher.hash(password)
        return user
