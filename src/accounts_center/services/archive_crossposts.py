""""Download your information" for cross-posting (issue 14): the person's choices for
each pair of their apps, and every cross-post with its picture and where each copy went,
as archive members."""

from __future__ import annotations

from typing import Any

from accounts_center.hub import Hub
from accounts_center.services.archive_media import EXTENSIONS
from accounts_center.services.crosspost_routes import pairs_of


def crosspost_members(hub: Hub, identity_id: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """``crossposts.json``'s content, and each picture by its name in the archive."""
    files: dict[str, bytes] = {}
    with hub.unit_of_work() as uow:
        names: dict[str, str] = {}

        def name_of(app_id: str) -> str:
            if app_id not in names:
                app = uow.member_apps.by_id(app_id)
                names[app_id] = app.name if app else "a removed app"
            return names[app_id]

        choices = [{"from_app": p.source_app, "from_type": p.source_type.value,
                    "to_app": p.destination_app, "to_type": p.destination_type.value,
                    "choice": p.mode.value} for p in pairs_of(uow, identity_id)]
        posts = []
        for post in uow.crossposts.of_person(identity_id):
            # A post that ended keeps no picture once nothing else held it.
            blob = (uow.media.owned_by(identity_id, post.digest)
                    if post.digest is not None else None)
            name = (f"crossposts/{post.id}.{EXTENSIONS.get(post.media_type, 'bin')}"
                    if blob is not None else None)
            if blob is not None and name is not None:
                files[name] = blob.content
            posts.append({
                "id": post.id, "from_app": name_of(post.source_app_id), "type": post.type,
                "caption": post.caption, "file": name, "created_at": post.created_at,
                "expires_at": post.expires_at, "deleted_at": post.deleted_at,
                "expired_at": post.expired_at,
                "copies": [{"app": name_of(copy.destination_app_id),
                            "type": copy.destination_type, "choice": copy.mode,
                            "state": copy.state, "refused_because": copy.reason,
                            "updated_at": copy.updated_at}
                           for copy in uow.crossposts.copies(post.id)]})
    return {"choices": choices, "crossposts": posts}, files
