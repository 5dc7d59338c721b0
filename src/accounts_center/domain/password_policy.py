"""What makes a password acceptable (OWASP ASVS V2.1: length, not composition rules)."""

from __future__ import annotations

from accounts_center.domain.errors import InvalidInput

MIN_LENGTH = 10
# Long enough for any passphrase, short enough that hashing it is not a denial of service.
MAX_LENGTH = 256


def check_new_password(password: str, *, login_value: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Use at least {MIN_LENGTH} characters for your password.",
                           field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Use at most {MAX_LENGTH} characters for your password.",
                           field="password")
    if password.strip().lower() == login_value.strip().lower():
        raise InvalidInput("Your password must not be your email address or phone number.",
                           field="password")
