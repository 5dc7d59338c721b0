"""Repository of identities and their recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounts_center.domain.login_names import LoginKind, LoginName
from accounts_center.store.base import storable
from accounts_center.store.models import IdentityRow, RecoveryCodeRow


class Identities:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: IdentityRow) -> None:
        self._session.add(row)
        self._session.flush()

    def get(self, identity_id: str) -> IdentityRow | None:
        if not storable(identity_id):
            return None
        return self._session.get(IdentityRow, identity_id)

    def by_login_name(self, name: LoginName) -> IdentityRow | None:
        column = IdentityRow.email if name.kind is LoginKind.EMAIL else IdentityRow.phone
        return self._session.scalars(select(IdentityRow).where(column == name.value)).first()

    def replace_recovery_codes(self, identity_id: str, digests: list[str]) -> None:
        for row in self._session.scalars(
                select(RecoveryCodeRow).where(RecoveryCodeRow.identity_id == identity_id)):
            self._session.delete(row)
        self._session.flush()
        self._session.add_all(RecoveryCodeRow(identity_id=identity_id, code_digest=d)
                              for d in digests)
        self._session.flush()

    def use_recovery_code(self, identity_id: str, code_digest: str, now: datetime) -> bool:
        """Marks an unused code used; False when there is no such unused code."""
        result = self._session.execute(
            update(RecoveryCodeRow)
            .where(RecoveryCodeRow.identity_id == identity_id,
                   RecoveryCodeRow.code_digest == code_digest,
                   RecoveryCodeRow.used_at.is_(None))
            .values(used_at=now))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def unused_recovery_codes(self, identity_id: str) -> int:
        return len(self._session.scalars(
            select(RecoveryCodeRow.id).where(RecoveryCodeRow.identity_id == identity_id,
                                             RecoveryCodeRow.used_at.is_(None))).all())
