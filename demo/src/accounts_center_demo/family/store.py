"""The app's own SQLite database: one file per app, tables created on start.

Every app's tables derive from ``Base``; an app creates the family's tables and its own
(``Store(path, app_tables)``), so Chat's file holds no Pics tables and the other way round.
A column a newer demo added to a table is added to a database made before (the demo has no
migrations: its columns only ever grow, each nullable or with a default).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, inspect, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.schema import CreateColumn


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, always UTC


class Store:
    def __init__(self, path: Path, tables: Sequence[Table]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(
            f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine, tables=list(tables))
        _add_missing_columns(self.engine, tables)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on an error."""
        with self._sessions() as db, db.begin():
            yield db

    def close(self) -> None:
        self.engine.dispose()


def _add_missing_columns(engine: Engine, tables: Sequence[Table]) -> None:
    held = inspect(engine)
    with engine.begin() as connection:
        for table in tables:
            present = {column["name"] for column in held.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    ddl = CreateColumn(column).compile(dialect=engine.dialect)
                    connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN {ddl}'))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
