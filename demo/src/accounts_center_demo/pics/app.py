"""Pics, assembled: the family's pieces, its photo feed and its Stories."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI

from accounts_center_demo.family.app_factory import create_family_app
from accounts_center_demo.family.config import AppConfig, AppIdentity
from accounts_center_demo.family.ephemeral_routes import EphemeralKind, ephemeral_router
from accounts_center_demo.family.login_names import Username
from accounts_center_demo.family.visits import Family
from accounts_center_demo.pics.models import Story, pics_tables
from accounts_center_demo.pics.photo_routes import photo_router

IDENTITY = AppIdentity(slug="pics", name="Pics", colour="#ad1457",
                       tagline="share photos and Stories",
                       login_kind=Username(), nav=(("Photos", "/"), ("Stories", "/stories")))
STORIES = EphemeralKind(Story, "/stories", "Stories", "story", "posted_story",
                        crosspost_source="story")


def routers(family: Family) -> list[APIRouter]:
    return [photo_router(family), ephemeral_router(family, STORIES)]


def create_app(config: AppConfig) -> FastAPI:
    return create_family_app(config, app_dir=Path(__file__).parent,
                             app_tables=pics_tables(), routers=routers,
                             ephemeral_models={"story": Story})
