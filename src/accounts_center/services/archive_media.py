""""Download your information" (issue 13, point 7): the files of the person's profile
photo, avatar and creations, and the list of their creations, as archive members."""

from __future__ import annotations

from typing import Any

from accounts_center.domain.avatar import parse_avatar_spec
from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.images import PROFILE_PHOTO
from accounts_center.hub import Hub
from accounts_center.services.avatar_render import render_avatar
from accounts_center.services.creations import view
from accounts_center.services.profiles import hub_render_cache

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
AVATAR_PNG_SIZE = 1024


def media_members(hub: Hub, identity_id: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """``creations.json``'s content, and every file by its name in the archive."""
    files: dict[str, bytes] = {}
    with hub.unit_of_work() as uow:
        photo = {row.rendition: row.digest for row in uow.media.owned(identity_id,
                                                                      PROFILE_PHOTO)}
        if photo:
            blob = uow.media.owned_by(identity_id, photo[max(photo)])
            if blob is not None:
                files[f"profile_photo.{EXTENSIONS.get(blob.media_type, 'bin')}"] = \
                    blob.content
        profile = uow.profiles.get(identity_id)
        avatar = profile.avatar if profile is not None else None
        listed = []
        for row in uow.creations.of_person(identity_id, include_hidden=True):
            creation = view(uow, row)
            name = f"creations/{creation.id}.{EXTENSIONS.get(creation.media_type, 'bin')}"
            blob = uow.media.owned_by(identity_id, creation.digest)
            if blob is not None:
                files[name] = blob.content
            listed.append({"id": creation.id, "kind": creation.kind, "title": creation.title,
                           "expression": creation.expression, "file": name,
                           "media_type": creation.media_type, "width": creation.width,
                           "height": creation.height, "made_in": creation.made_in,
                           "hidden_from_apps": creation.hidden,
                           "created_at": creation.created_at.isoformat()})
    if avatar is not None:
        try:
            spec = parse_avatar_spec(avatar)
        except InvalidInput:
            spec = None  # saved under an older vocabulary: the spec is in your_profile.json
        if spec is not None:
            cache = hub_render_cache(hub)
            files["avatar.svg"] = render_avatar(spec, cache).content
            files["avatar.png"] = render_avatar(spec, cache, format="png",
                                                size=AVATAR_PNG_SIZE).content
    return {"creations": listed}, files
