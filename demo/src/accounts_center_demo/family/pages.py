"""Rendering pages: Jinja2 with autoescape, the app's own templates before the family's,
and the security headers every answer carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAMILY_TEMPLATES = Path(__file__).parent / "templates"
FAMILY_STATIC = Path(__file__).parent / "static"


def template_environment(app_templates: Path, globals_: dict[str, Any]) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(app_templates),
                             FileSystemLoader(FAMILY_TEMPLATES)]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True)
    env.globals.update(globals_)
    env.filters["when"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M UTC")
    return env


def content_security_policy(hub_origin: str | None) -> str:
    # form-action also names the hub: browsers hold the redirect after a form post (to
    # /accounts-center/add) to the page's form-action.
    form_action = "'self'" + (f" {hub_origin}" if hub_origin else "")
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; form-action {form_action}; frame-ancestors 'none'; "
            "base-uri 'none'")


class SecurityHeaders:
    """Adds the CSP and friends to every answer (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in self.headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
