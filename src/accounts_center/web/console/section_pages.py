"""Console sections that later capabilities fill; until then, honest empty states."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from accounts_center.web.console.guards import require_person
from accounts_center.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_person)])

SECTIONS = {
    "/connected-experiences": ("Connected experiences", "No connected experiences yet",
                               "Features that work across your apps, such as sharing a "
                               "Status as a Story or logging in with Accounts Center, appear "
                               "here once you add an app account."),
}


def _section_view(path: str) -> Callable[..., Response]:
    title, heading, text = SECTIONS[path]

    def view(request: Request) -> Response:
        return render(request, "empty_section.html", {
            "title": title, "empty_heading": heading, "empty_text": text})

    return view


for _path in SECTIONS:
    router.add_api_route(_path, _section_view(_path), methods=["GET"], name=_path.strip("/"))
