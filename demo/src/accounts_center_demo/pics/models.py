"""Pics's own tables: photos (kept in its database) and Stories."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Table
from sqlalchemy.orm import Mapped, deferred, mapped_column

from accounts_center_demo.family.models import Ephemeral
from accounts_center_demo.family.store import Base, utcnow


class Photo(Base):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    caption: Mapped[str] = mapped_column(String(500), default="")
    media_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))  # loaded only to serve it
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Story(Ephemeral, Base):
    __tablename__ = "pics_stories"  # one MetaData for the family: names unique


def pics_tables() -> list[Table]:
    return [Photo.__table__, Story.__table__]  # type: ignore[list-item]
