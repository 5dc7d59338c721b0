"""Every table, registered on one metadata (for Alembic and tests)."""

from accounts_center.store import (
    creation_models,
    crosspost_models,
    link_models,
    media_models,
    models,
    oauth_models,
    outbox_models,
    privacy_models,
    profile_models,
)
from accounts_center.store.base import Base

metadata = Base.metadata
__all__ = ["creation_models", "crosspost_models", "link_models", "media_models", "metadata",
           "models", "oauth_models", "outbox_models", "privacy_models", "profile_models"]
