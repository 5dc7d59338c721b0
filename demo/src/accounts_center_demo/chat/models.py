"""Chat's own tables. Messages hold ciphertext only: the text is encrypted in the sender's
browser and decrypted in the recipient's; this server never has the key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center_demo.family.models import Ephemeral
from accounts_center_demo.family.store import Base, utcnow


class DeviceKey(Base):
    """A browser's ECDH P-256 public key (JWK). The private key never leaves that
    browser; the key a user's browser announced last is the one others encrypt to."""

    __tablename__ = "device_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    public_jwk: Mapped[str] = mapped_column(String(300))  # canonical JSON: kty, crv, x, y
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    announced_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sender_key_id: Mapped[int] = mapped_column(ForeignKey("device_keys.id"))
    recipient_key_id: Mapped[int] = mapped_column(ForeignKey("device_keys.id"))
    ciphertext: Mapped[str] = mapped_column(Text)  # base64 of AES-GCM output (with its tag)
    iv: Mapped[str] = mapped_column(String(16))  # base64 of a fresh 96-bit IV
    sent_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Status(Ephemeral, Base):
    __tablename__ = "statuses"


def chat_tables() -> list[Table]:
    return [DeviceKey.__table__, Message.__table__, Status.__table__]  # type: ignore[list-item]
