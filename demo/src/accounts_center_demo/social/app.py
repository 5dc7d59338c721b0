"""Social, assembled: the family's pieces, its feed and its Stories."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI

from accounts_center_demo.family.app_factory import create_family_app
from accounts_center_demo.family.config import AppConfig, AppIdentity
from accounts_center_demo.family.ephemeral_routes import EphemeralKind, ephemeral_router
from accounts_center_demo.family.login_names import Username
from accounts_center_demo.family.visits import Family
from accounts_center_demo.social.feed_routes import feed_router
from accounts_center_demo.social.models import Story, social_tables

IDENTITY = AppIdentity(slug="social", name="Social", colour="#1565c0",
                       tagline="posts and Stories from people you know",
                       login_kind=Username(), nav=(("Feed", "/"), ("Stories", "/stories")))
STORIES = EphemeralKind(Story, "/stories", "Stories", "story", "posted_story")


def routers(family: Family) -> list[APIRouter]:
    return [feed_router(family), ephemeral_router(family, STORIES)]


def create_app(config: AppConfig) -> FastAPI:
    return create_family_app(config, app_dir=Path(__file__).parent,
                             app_tables=social_tables(), routers=routers,
                             ephemeral_models={"story": Story})
