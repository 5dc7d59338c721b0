"""The person's creations (stickers and images) as this app keeps them, for an app that
declares ``"creations": true``: a copy of each picture, downloaded when the hub told of it
(its signed URL lasts an hour) and served from this app's own origin; and when the app
last asked the hub for the whole list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Table
from sqlalchemy.orm import Mapped, deferred, mapped_column

from accounts_center_demo.family.store import Base, utcnow


class KeptCreation(Base):
    """One creation of a person, as Accounts Center last sent it. Forgotten (row and
    picture) when the person deletes or hides it in the hub."""

    __tablename__ = "kept_creations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    creation_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the hub's id
    kind: Mapped[str] = mapped_column(String(20))  # "sticker" or "image"
    title: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(20))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of data
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[str] = mapped_column(String(40))  # the hub's ISO 8601: orders them
    kept_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def url(self) -> str:
        return f"/creations/{self.user_id}/{self.creation_id}"


class CreationsRefresh(Base):
    """When this app last had the person's whole list from the hub: the picker asks once
    on first open, then the events keep it current (and the person may ask again)."""

    __tablename__ = "creations_refreshed"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


def creation_tables() -> list[Table]:
    return [KeptCreation.__table__, CreationsRefresh.__table__]  # type: ignore[list-item]
