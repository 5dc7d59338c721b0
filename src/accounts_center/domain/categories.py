"""Data categories and purposes (DESIGN §3).

``messages``, ``calls`` and ``contacts`` are never shared: they are not members of
``DataCategory`` at all, so no capability file, setting or code path can name them as
shareable.
"""

from __future__ import annotations

from enum import StrEnum


class DataCategory(StrEnum):
    ACCOUNT_DETAILS = "account_details"
    PROFILE_PHOTO = "profile_photo"
    AVATAR = "avatar"
    ACTIVITY = "activity"
    DEVICE = "device"
    AGE = "age"
    CREATIONS = "creations"


NEVER_SHARED: frozenset[str] = frozenset({"messages", "calls", "contacts"})


class Purpose(StrEnum):
    CROSS_APP_FEATURES = "cross_app_features"
    SECURITY_AND_INTEGRITY = "security_and_integrity"
    ADVERTISING = "advertising"


class CrossPostType(StrEnum):
    STATUS = "status"
    STORY = "story"
    POST = "post"
    PHOTO = "photo"
