"""The family's three apps by name, and how one is configured from the command line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from accounts_center_demo.family.config import (
    AppConfig,
    AppIdentity,
    argon2_from_env,
    read_credentials,
)


@dataclass(frozen=True)
class FamilyApp:
    identity: AppIdentity
    create: Callable[[AppConfig], FastAPI]

    @property
    def capabilities_file(self) -> Path:
        return Path(__file__).parent / self.identity.slug / "capabilities.json"


def family_apps() -> dict[str, FamilyApp]:
    from accounts_center_demo.chat import app as chat
    from accounts_center_demo.pics import app as pics
    from accounts_center_demo.social import app as social

    return {module.IDENTITY.slug: FamilyApp(module.IDENTITY, module.create_app)
            for module in (chat, pics, social)}


def app_config(slug: str, base_url: str, state_dir: Path) -> AppConfig:
    """The app's configuration; hub credentials from its state file when it has one."""
    return AppConfig(identity=family_apps()[slug].identity, base_url=base_url,
                     state_dir=state_dir, hub=read_credentials(state_dir, slug),
                     **argon2_from_env())


def build_app(slug: str, base_url: str, state_dir: Path) -> FastAPI:
    return family_apps()[slug].create(app_config(slug, base_url, state_dir))
