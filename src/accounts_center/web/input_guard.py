"""Input no handler should ever see, refused at the edge for every route (CHECKLIST 37).

Installed as an application-wide dependency, so it runs before each route's own
dependencies (session, client authentication) and before any service touches the store:

- the path and the query string must percent-decode to UTF-8 without control characters
  (`%00`, `%0a`, `%ff`, `%ed%a0%80`): PostgreSQL text cannot hold NUL, and no id, cursor
  or OAuth parameter of ours contains either;
- a JSON body must be JSON the hub can keep (`strict_json`: no NaN, Infinity, lone
  surrogates, repeated member names or integers beyond ±(2**53 - 1)).

A refusal is a `RequestValidationError`, so `problems` answers it like any other invalid
input: a 422 problem naming the location on `/v1`, a readable page elsewhere. Nothing of
the refused value is echoed or logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message
from urllib.parse import unquote_to_bytes

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from accounts_center.web.strict_json import JsonRefused, Location, parse_json

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
NOT_TEXT = "must be UTF-8 text without control characters"


def _decoded(raw: bytes) -> str | None:
    """The percent-decoded text, or None when it is not UTF-8 or holds a control character."""
    try:
        text = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def _path_problems(request: Request) -> Iterator[Location]:
    raw = request.scope.get("raw_path") or request.scope["path"].encode("utf-8", "replace")
    segments = raw.split(b"/")
    route = getattr(request.scope.get("route"), "path", "")
    names = route.split("/") if route.count("/") == raw.count(b"/") else []
    for index, segment in enumerate(segments):
        if _decoded(segment) is None:
            name = names[index] if index < len(names) else ""
            yield ("path", name[1:-1]) if name.startswith("{") else ("path",)


def _query_problems(request: Request) -> Iterator[Location]:
    for pair in request.scope.get("query_string", b"").split(b"&"):
        raw_name, _, raw_value = pair.replace(b"+", b" ").partition(b"=")
        name = _decoded(raw_name)
        if name is None:
            yield ("query",)
        elif _decoded(raw_value) is None:
            yield ("query", name)


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type")
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json"))


async def refuse_hostile_input(request: Request) -> None:
    errors = [{"type": "value_error", "loc": location, "msg": NOT_TEXT, "input": None}
              for location in [*_path_problems(request), *_query_problems(request)]]
    if not errors and _is_json(request):
        body = await request.body()
        if body:
            try:
                parse_json(body)
            except JsonRefused as refused:
                errors.append({"type": "value_error", "loc": ("body", *refused.location),
                               "msg": refused.message, "input": None})
    if errors:
        raise RequestValidationError(errors)
