"""The avatar editor (issue 13, point 4): one part at a time with a live preview,
randomise and undo, and the preview image itself.

The editor keeps no state on the hub: the form holds the spec it shows (`current`) and
the specs before it (`history`, compact JSON), so undo works across any number of hub
processes. With htmx the form swaps itself on every change; without script it is a plain
GET form to the same page.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from accounts_center.domain.avatar import (
    COLOUR_PARTS,
    DEFAULT_AVATAR,
    PARTS,
    VOCABULARIES,
    AvatarSpec,
    parse_avatar_spec,
)
from accounts_center.domain.errors import InvalidInput, InvalidInputs
from accounts_center.services.avatar_render import (
    AvatarRenderCache,
    InProcessRenderCache,
    render_avatar,
)
from accounts_center.web.console.guards import require_person
from accounts_center.web.console.rendering import render
from accounts_center.web.problems import printable, problem

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_person)])

# The SVG is drawn without style attributes or elements (the sanitiser removes any), so it
# needs nothing at all; opened as a document it can load and run nothing.
SVG_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HISTORY_LIMIT = 10
# Where the profile page's "Save avatar" posts (`profile_pages` serves it). The editor
# sends `saveable=1` with each change, so the button survives its htmx swaps; the path
# itself is never taken from the request.
AVATAR_SAVE_PATH = "/profile/avatar"
_system_random = random.SystemRandom()


def render_cache(request: Request) -> AvatarRenderCache:
    """The process's cache of renders (`create_app` sets it; a test may hand its own)."""
    cache = getattr(request.app.state, "avatar_renders", None)
    if cache is None:
        cache = request.app.state.avatar_renders = InProcessRenderCache()
    return cache


@router.get("/avatar-preview.svg", name="avatar-preview")
def avatar_preview(request: Request) -> Response:
    try:
        spec = parse_avatar_spec(_single_values(request.query_params.multi_items()))
    except InvalidInput as error:
        return _spec_problem(request, error)
    etag = f'"{spec.digest()}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=86400",
               "Content-Security-Policy": SVG_POLICY, "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    made = render_avatar(spec, render_cache(request))
    return Response(made.content, media_type=made.media_type, headers=headers)


@router.get("/avatar/editor", name="avatar-editor")
def avatar_editor(request: Request) -> Response:
    """The editor's page; to htmx, the editor alone, after the asked change."""
    sent = request.query_params
    try:
        history = parse_history(sent.get("history", "[]"))
        shown = (spec_from_compact(sent["current"]) if "current" in sent
                 else history[-1] if history else DEFAULT_AVATAR)
        chosen = parse_avatar_spec({name: sent[name] for name in PARTS if name in sent}
                                   ) if any(name in sent for name in PARTS) else shown
    except InvalidInput as error:
        if request.headers.get("hx-request") == "true":
            return _spec_problem(request, error)
        raise
    action = sent.get("action", "change")
    status = ""
    if action == "undo" and history:
        spec, history, status = history[-1], history[:-1], "Undone."
    elif action == "randomise":
        spec, history = shown.randomised(_system_random), [*history, shown]
        status = "A new random avatar."
    elif chosen != shown:
        spec, history = chosen, [*history, shown]
        status = "Changed " + ", ".join(
            name.replace("_", " ") for name in PARTS
            if getattr(chosen, name) != getattr(shown, name)) + "."
    else:
        spec = chosen
    save_url = AVATAR_SAVE_PATH if sent.get("saveable") == "1" else None
    context = editor_context(spec, history[-HISTORY_LIMIT:], save_url=save_url,
                             status=status)
    if request.headers.get("hx-request") == "true":
        return render(request, "avatar_editor.html", context)
    return render(request, "avatar_editor_page.html", {"title": "Avatar", **context})


def editor_context(spec: AvatarSpec, history: list[AvatarSpec], *,
                   save_url: str | None = None, status: str = "") -> dict[str, Any]:
    """What `avatar_editor.html` shows: include it with these values (the profile page
    passes the person's saved avatar, an empty history and where "Save avatar" posts)."""
    document = spec.to_document()
    return {
        "avatar_save_url": save_url,
        "avatar_status": status,
        "avatar": document,
        "avatar_preview_url": preview_url(spec),
        "avatar_current": compact(spec),
        "avatar_history": json.dumps([_values(old) for old in history], separators=(",", ":")),
        "avatar_can_undo": bool(history),
        "avatar_choices": [(name, name.replace("_", " ").capitalize(), _options(name, value))
                           for name, value in document.items()],
    }


def preview_url(spec: AvatarSpec) -> str:
    return "/avatar-preview.svg?" + urlencode(spec.to_document())


def compact(spec: AvatarSpec) -> str:
    return json.dumps(_values(spec), separators=(",", ":"))


def spec_from_compact(text: str) -> AvatarSpec:
    return _spec_from_values(_json(text, "current"), "current")


def parse_history(text: str) -> list[AvatarSpec]:
    entries = _json(text, "history")
    if not isinstance(entries, list):
        raise InvalidInput("The editor's history is not valid.", field="history")
    return [_spec_from_values(entry, "history") for entry in entries[-HISTORY_LIMIT:]]


def _values(spec: AvatarSpec) -> list[str]:
    return list(spec.to_document().values())


def _spec_from_values(values: object, field: str) -> AvatarSpec:
    if not isinstance(values, list) or len(values) != len(PARTS):
        raise InvalidInput(f"The editor's {field} is not valid.", field=field)
    return parse_avatar_spec(dict(zip(PARTS, values, strict=True)))


def _json(text: str, field: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidInput(f"The editor's {field} is not valid.", field=field) from None


def _options(name: str, value: str) -> list[tuple[str, str]]:
    if name in VOCABULARIES:
        return [(word, word.replace("_", " ")) for word in VOCABULARIES[name]]
    palette = [(colour, label.replace("_", " ")) for label, colour in COLOUR_PARTS[name]]
    if value not in {colour for colour, _ in palette}:
        palette.append((value, f"custom ({value})"))
    return palette


def _single_values(items: list[tuple[str, str]]) -> Mapping[str, str]:
    seen: dict[str, str] = {}
    for key, value in items:
        if key in seen:
            raise InvalidInput(f"{printable(key)} is given more than once.", field=key)
        seen[key] = value
    return seen


def _spec_problem(request: Request, error: InvalidInput) -> Response:
    problems = error.problems if isinstance(error, InvalidInputs) else (error,)
    return problem(422, error.title, printable(error.detail, 1000), code=error.code,
                   instance=request.url.path,
                   field=printable(error.field) if error.field else None,
                   errors=[{"field": printable(p.field or ""), "message": printable(p.detail)}
                           for p in problems])
