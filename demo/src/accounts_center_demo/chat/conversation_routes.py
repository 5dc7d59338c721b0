"""Chat's conversations: the list, starting one by phone number, and the encrypted
messages (JSON for the page's script, which encrypts and decrypts in the browser)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from accounts_center_demo.chat.envelopes import (
    InvalidEnvelope,
    canonical_public_jwk,
    checked_ciphertext,
)
from accounts_center_demo.chat.models import DeviceKey, Message
from accounts_center_demo.family.creation_routes import creations_picker
from accounts_center_demo.family.login_names import InvalidLoginName
from accounts_center_demo.family.models import User
from accounts_center_demo.family.store import utcnow
from accounts_center_demo.family.visits import Family, Visit

HISTORY = 200


class KeyAnnouncement(BaseModel):
    jwk: dict[str, Any]


class SealedMessage(BaseModel):
    ciphertext: str
    iv: str
    sender_key_id: int
    recipient_key_id: int


def current_key(db: Session, user_id: int) -> DeviceKey | None:
    return db.scalar(select(DeviceKey).where(DeviceKey.user_id == user_id)
                     .order_by(DeviceKey.announced_at.desc(), DeviceKey.id.desc()).limit(1))


def peers_of(db: Session, user_id: int) -> list[User]:
    other = case((Message.sender_id == user_id, Message.recipient_id), else_=Message.sender_id)
    latest = (select(other.label("peer"), func.max(Message.sent_at).label("last"))
              .where(or_(Message.sender_id == user_id, Message.recipient_id == user_id))
              .group_by("peer").subquery())
    return list(db.scalars(select(User).join(latest, latest.c.peer == User.id)
                           .order_by(latest.c.last.desc())))


def conversation_router(family: Family) -> APIRouter:
    router = APIRouter()
    phone = family.config.identity.login_kind

    def chats_page(v: Visit, status: int = 200, error: str | None = None,
                   typed: str = "") -> Response:
        assert v.user is not None
        return v.render("chats.html", status=status, peers=peers_of(v.db, v.user.id),
                        error=error, typed=typed)

    @router.get("/")
    def chats(request: Request) -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            return chats_page(v)

    @router.get("/chats/open")
    def open_chat(request: Request, phone_number: str = "") -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            try:
                number = phone.normalise(phone_number)
            except InvalidLoginName as error:
                return chats_page(v, 422, str(error), phone_number)
            peer = v.db.scalar(select(User).where(User.login == number))
            if peer is None:
                return chats_page(v, 404, f"No one on Chat has the number {number}.",
                                  phone_number)
            if peer.id == v.user.id:
                return chats_page(v, 422, "That is your own number.", phone_number)
            return v.redirect(f"/c/{peer.id}")

    @router.get("/c/{peer_id}")
    def conversation(request: Request, peer_id: int, refresh: str = "") -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            peer = v.db.get(User, peer_id)
            if peer is None or peer.id == v.user.id:
                return chats_page(v, 404, "There is no such conversation.")
            picker = (creations_picker(family, v, refresh)
                      if family.declares_creations and family.hub.client is not None else None)
            return v.render("conversation.html", peer=peer, picker=picker)

    @router.get("/c/{peer_id}/messages")
    def messages(request: Request, peer_id: int) -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.json({"error": "signed out"}, 401)
            me, peer = v.user.id, peer_id
            rows = list(v.db.scalars(
                select(Message).where(or_(
                    (Message.sender_id == me) & (Message.recipient_id == peer),
                    (Message.sender_id == peer) & (Message.recipient_id == me)))
                .order_by(Message.id.desc()).limit(HISTORY)))[::-1]
            key_ids = {m.sender_key_id for m in rows} | {m.recipient_key_id for m in rows}
            peer_key = current_key(v.db, peer)
            if peer_key is not None:
                key_ids.add(peer_key.id)
            keys = {k.id: json.loads(k.public_jwk) for k in
                    v.db.scalars(select(DeviceKey).where(DeviceKey.id.in_(key_ids)))}
            return v.json({
                "peer_key_id": peer_key.id if peer_key else None,
                "keys": {str(i): jwk for i, jwk in keys.items()},
                "messages": [{"id": m.id, "from_me": m.sender_id == me,
                              "sender_key_id": m.sender_key_id,
                              "recipient_key_id": m.recipient_key_id,
                              "ciphertext": m.ciphertext, "iv": m.iv,
                              "sent_at": m.sent_at.isoformat() + "Z"} for m in rows]})

    @router.post("/c/{peer_id}/messages")
    def send(request: Request, peer_id: int, sealed: SealedMessage,
             x_csrf_token: Annotated[str, Header()] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(x_csrf_token)
            if v.user is None:
                return v.json({"error": "signed out"}, 401)
            sender_key = v.db.get(DeviceKey, sealed.sender_key_id)
            recipient_key = v.db.get(DeviceKey, sealed.recipient_key_id)
            try:
                checked_ciphertext(sealed.ciphertext, sealed.iv)
                if sender_key is None or sender_key.user_id != v.user.id:
                    raise InvalidEnvelope("the sender key is not one of yours")
                if (recipient_key is None or recipient_key.user_id != peer_id
                        or peer_id == v.user.id):
                    raise InvalidEnvelope("the recipient key is not the other person's")
            except InvalidEnvelope as error:
                return v.json({"error": str(error)}, 422)
            message = Message(sender_id=v.user.id, recipient_id=peer_id,
                              sender_key_id=sender_key.id, recipient_key_id=recipient_key.id,
                              ciphertext=sealed.ciphertext, iv=sealed.iv)
            v.db.add(message)
            v.db.flush()
            if v.user.hub_linked:
                # That a message was sent, never to whom or what it said.
                v.after(family.hub.push_activity, v.user.id, "sent_message")
            return v.json({"id": message.id}, 201)

    @router.post("/keys")
    def announce_key(request: Request, announced: KeyAnnouncement,
                     x_csrf_token: Annotated[str, Header()] = "") -> Response:
        """This browser's public key: new, or known and now the user's current one."""
        with family.visit(request) as v:
            v.check_csrf(x_csrf_token)
            if v.user is None:
                return v.json({"error": "signed out"}, 401)
            try:
                jwk = canonical_public_jwk(announced.jwk)
            except InvalidEnvelope as error:
                return v.json({"error": str(error)}, 422)
            key = v.db.scalar(select(DeviceKey).where(DeviceKey.user_id == v.user.id,
                                                      DeviceKey.public_jwk == jwk))
            if key is None:
                key = DeviceKey(user_id=v.user.id, public_jwk=jwk)
                v.db.add(key)
            else:
                key.announced_at = utcnow()
            v.db.flush()
            return v.json({"id": key.id})

    return router
