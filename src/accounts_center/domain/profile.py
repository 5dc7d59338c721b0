"""The person's canonical profile (issue 13, points 1 and 2): its fields, what each may
hold, which data category each is, which an app may keep in sync, and how two writes to
the same field are merged (last writer wins by the hub's clock; the loser is kept in the
history the person sees)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from accounts_center.domain.categories import DataCategory
from accounts_center.domain.errors import InvalidInput, InvalidInputs


class ProfileField(StrEnum):
    NAME = "name"
    HANDLE = "handle"
    BIO = "bio"
    PHOTO = "photo"
    AVATAR = "avatar"


CATEGORY_OF: Mapping[ProfileField, DataCategory] = {
    ProfileField.NAME: DataCategory.ACCOUNT_DETAILS,
    ProfileField.HANDLE: DataCategory.ACCOUNT_DETAILS,
    ProfileField.BIO: DataCategory.ACCOUNT_DETAILS,
    ProfileField.PHOTO: DataCategory.PROFILE_PHOTO,
    ProfileField.AVATAR: DataCategory.AVATAR,
}
# What a linked app may keep in sync; handle and bio stay the hub's own.
SYNCABLE: tuple[ProfileField, ...] = (ProfileField.NAME, ProfileField.PHOTO,
                                      ProfileField.AVATAR)
TEXT_FIELDS: tuple[ProfileField, ...] = (ProfileField.NAME, ProfileField.HANDLE,
                                         ProfileField.BIO)
LABELS: Mapping[ProfileField, str] = {
    ProfileField.NAME: "Display name", ProfileField.HANDLE: "Handle",
    ProfileField.BIO: "Bio", ProfileField.PHOTO: "Profile photo",
    ProfileField.AVATAR: "Avatar"}

NAME_MAX = 64
BIO_MAX = 160
HANDLE = re.compile(r"[a-z0-9_.]{3,30}")
PHOTO_MAX = 200  # an opaque reference (a media digest), not the picture
AVATAR_MAX_KEYS = 64
# Who wrote a value: the person in the console, or an app (by its id).
CONSOLE = "console"


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in text)


def _checked(field: ProfileField, value: object) -> Any:
    """One field's new value, cleaned, or an `InvalidInput` naming the field."""
    name = field.value
    if field in TEXT_FIELDS:
        if not isinstance(value, str):
            raise InvalidInput("must be text", field=name)
        if _has_control(value):
            raise InvalidInput("must not hold control or invisible characters", field=name)
        value = unicodedata.normalize("NFC", value).strip()
    if field is ProfileField.NAME:
        assert isinstance(value, str)
        if not 1 <= len(value) <= NAME_MAX:
            raise InvalidInput(f"must be 1 to {NAME_MAX} characters", field=name)
        return value
    if field is ProfileField.HANDLE:
        assert isinstance(value, str)
        if HANDLE.fullmatch(value) is None:
            raise InvalidInput("must be 3 to 30 lowercase letters, digits, dots or "
                               "underscores", field=name)
        return value
    if field is ProfileField.BIO:
        assert isinstance(value, str)
        if len(value) > BIO_MAX:
            raise InvalidInput(f"must be at most {BIO_MAX} characters", field=name)
        return value
    if field is ProfileField.PHOTO:
        if value is None:
            return None
        if not isinstance(value, str) or not 1 <= len(value) <= PHOTO_MAX \
                or _has_control(value) or value != value.strip():
            raise InvalidInput(f"must be a reference of 1 to {PHOTO_MAX} characters, "
                               "or null", field=name)
        return value
    # The avatar: an opaque spec document for now (domain/avatar.py describes it).
    if value is None:
        return None
    if not isinstance(value, Mapping) or not value or len(value) > AVATAR_MAX_KEYS \
            or not all(isinstance(key, str) for key in value):
        raise InvalidInput(f"must be an object of 1 to {AVATAR_MAX_KEYS} named parts, "
                           "or null", field=name)
    return dict(value)


def check_changes(changes: Mapping[str, object],
                  allowed: frozenset[ProfileField] | None = None) -> dict[ProfileField, Any]:
    """Every problem with a set of changes at once (`InvalidInputs`), else the cleaned
    values. ``allowed``: the fields this writer may set (None: all of them); a field
    outside them is refused before its value is looked at."""
    known = {f.value: f for f in ProfileField}
    problems: list[InvalidInput] = []
    clean: dict[ProfileField, Any] = {}
    if not changes:
        raise InvalidInputs([InvalidInput("name at least one field to change",
                                          field="profile")])
    for name, value in changes.items():
        field = known.get(name)
        if field is None:
            problems.append(InvalidInput("is not a profile field", field=str(name)[:64]))
            continue
        if allowed is not None and field not in allowed:
            continue  # the caller refuses these as it must (a 403), not as bad input
        try:
            clean[field] = _checked(field, value)
        except InvalidInput as problem:
            problems.append(InvalidInput(f"{LABELS[field]} {problem.detail}",
                                         field=problem.field))
    if problems:
        raise InvalidInputs(problems)
    return clean


@dataclass(frozen=True)
class Written:
    """A value as held: what, since when (the hub's clock), and who wrote it."""

    value: Any
    at: datetime
    by: str


@dataclass(frozen=True)
class Merge:
    """The outcome of one write to one field: the value now held, and whether the write
    won (a loser is kept in history only)."""

    held: Written
    won: bool
    old: Any


def merge(current: Written | None, incoming: Written) -> Merge:
    """Last writer wins by the hub's clock. A write stamped earlier than what is held
    (one that waited behind a later one) loses; a tie goes to the later arrival, since
    the hub applies writes one at a time and the later one saw the earlier."""
    if current is None:
        return Merge(incoming, True, None)
    if incoming.at < current.at:
        return Merge(current, False, current.value)
    return Merge(incoming, True, current.value)
