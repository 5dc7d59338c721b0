"""Social's own tables: text posts and Stories."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center_demo.family.models import Ephemeral
from accounts_center_demo.family.store import Base, utcnow


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Story(Ephemeral, Base):
    __tablename__ = "social_stories"  # one MetaData for the family: names unique


def social_tables() -> list[Table]:
    return [Post.__table__, Story.__table__]  # type: ignore[list-item]
