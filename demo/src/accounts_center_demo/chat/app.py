"""Chat, assembled: the family's pieces, encrypted conversations and Status."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI

from accounts_center_demo.chat.conversation_routes import conversation_router
from accounts_center_demo.chat.models import Status, chat_tables
from accounts_center_demo.family.app_factory import create_family_app
from accounts_center_demo.family.config import AppConfig, AppIdentity
from accounts_center_demo.family.ephemeral_routes import EphemeralKind, ephemeral_router
from accounts_center_demo.family.login_names import PhoneNumber
from accounts_center_demo.family.visits import Family

IDENTITY = AppIdentity(slug="chat", name="Chat", colour="#00796b",
                       tagline="messages only the two of you can read",
                       login_kind=PhoneNumber(), nav=(("Chats", "/"), ("Status", "/status")),
                       scripts=("chat.js",))
STATUS = EphemeralKind(Status, "/status", "Status", "status", "posted_status",
                       crosspost_source="status")


def routers(family: Family) -> list[APIRouter]:
    return [conversation_router(family), ephemeral_router(family, STATUS)]


def create_app(config: AppConfig) -> FastAPI:
    return create_family_app(config, app_dir=Path(__file__).parent,
                             app_tables=chat_tables(), routers=routers,
                             ephemeral_models={"status": Status})
