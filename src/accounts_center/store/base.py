"""Declarative base with a naming convention (so Alembic names constraints the same on
SQLite and PostgreSQL) and a UTC-aware datetime type (SQLite keeps no time zone)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, TypeAlias, cast

from sqlalchemy import DateTime, MetaData, Row, Table, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

# A row of a Core query, whatever its columns.
AnyRow: TypeAlias = Row[*tuple[Any, ...]]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC, always returned time-zone aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, typed as the Table it is (for prebuilt Core statements)."""
    return cast(Table, model.__table__)


# The largest value of an INTEGER column (4 bytes on PostgreSQL, e.g. `security_events.id`):
# comparing such a column with a larger number fails there ("integer out of range"), so
# the edge refuses larger numbers for it.
INTEGER_MAX = 2**31 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(key: str) -> bool:
    """PostgreSQL text cannot hold NUL, and no database takes a lone surrogate (it has no
    UTF-8 form), so no stored key contains either: a lookup by such a key finds nothing on
    either database (instead of failing)."""
    return _UNSTORABLE.search(key) is None
