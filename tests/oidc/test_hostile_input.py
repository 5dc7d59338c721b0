"""Hostile input never gives a 500 (SECURITY-CHECKLIST 37): every route of the hub gets a
table of hostile values in its path, its query and its form, on SQLite and PostgreSQL.
The answer is an ordinary one or a 4xx in the route's own format: a problem on `/v1`,
RFC 6749 JSON from the provider's machine endpoints, a readable page everywhere else."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest

from accounts_center.domain.avatar import PARTS
from accounts_center.web.app import create_app
from tests.oidc.conftest import App, Browser, link
from tests.support import csrf_from

PAGE, PROBLEM, OAUTH = "text/html", "application/problem+json", "application/json"

# Raw, as they appear in a URL or an urlencoded body.
HOSTILE = {
    "NUL": "%00", "NUL inside": "id%00x", "control character": "%01", "C1 control": "%C2%85",
    "byte that is not UTF-8": "%FF", "UTF-8 of a lone surrogate": "%ED%A0%80",
    "over-long value": "x" * 3000, "beyond INTEGER": "2147483648",
    "beyond BIGINT": "9223372036854775808", "400 digits": "9" * 400, "negative": "-1",
    "NaN": "NaN", "Infinity": "1e400", "noncharacter": "%EF%BF%BF", "dot segments": "..%2F..",
}
AUTHORIZE = ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
             "code_challenge", "code_challenge_method", "prompt", "max_age", "request_uri")
LOGOUT = ("id_token_hint", "client_id", "post_logout_redirect_uri", "state")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    errors_as: str  # the content type of its 4xx answers
    query: tuple[str, ...] = ()
    form: tuple[str, ...] = ()
    as_app: bool = False  # the member app calls it (HTTP Basic)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


ROUTES = [
    Route("GET", "/v1/health", PROBLEM),
    Route("GET", "/v1/me", PROBLEM),
    Route("GET", "/v1/me/sessions", PROBLEM),
    Route("DELETE", "/v1/me/sessions/{session_id}", PROBLEM),
    Route("GET", "/v1/me/security-events", PROBLEM, query=("limit", "before")),
    Route("DELETE", "/v1/app/links/{app_user_id}", PROBLEM, as_app=True),
    Route("POST", "/v1/app/users/{app_user_id}/data/{category}", PROBLEM, as_app=True),
    Route("GET", "/v1/app/users/{app_user_id}/data/{category}", PROBLEM, query=("purpose",),
          as_app=True),
    Route("GET", "/v1/app/users/{app_user_id}/profile", PROBLEM, as_app=True),
    Route("PUT", "/v1/app/users/{app_user_id}/profile", PROBLEM, as_app=True),
    Route("GET", "/v1/app/users/{app_user_id}/creations", PROBLEM, as_app=True),
    Route("GET", "/v1/app/users/{app_user_id}/creations/{creation_id}", PROBLEM,
          as_app=True),
    Route("POST", "/v1/app/users/{app_user_id}/creations", PROBLEM, form=("file", "title"),
          as_app=True),
    Route("GET", "/v1/app/users/{app_user_id}/crosspost/destinations", PROBLEM,
          query=("type",), as_app=True),
    Route("POST", "/v1/app/users/{app_user_id}/crossposts", PROBLEM,
          form=("media", "type", "caption", "expires_at", "destinations"), as_app=True),
    Route("GET", "/v1/app/crossposts/{crosspost_id}", PROBLEM, as_app=True),
    Route("DELETE", "/v1/app/crossposts/{crosspost_id}", PROBLEM, as_app=True),
    Route("PUT", "/v1/app/crossposts/{crosspost_id}/copy", PROBLEM, as_app=True),
    Route("GET", "/metrics", PROBLEM),
    Route("GET", "/openapi.json", PROBLEM),
    Route("GET", "/.well-known/openid-configuration", OAUTH),
    Route("GET", "/oauth2/jwks", OAUTH),
    Route("POST", "/oauth2/token", OAUTH, form=(
        "grant_type", "code", "redirect_uri", "code_verifier", "refresh_token", "client_id",
        "client_secret"), as_app=True),
    Route("POST", "/oauth2/par", OAUTH, form=(*AUTHORIZE, "intent", "app_user_id", "handle",
                                              "birth_date"), as_app=True),
    Route("POST", "/oauth2/revoke", OAUTH, form=("token", "token_type_hint"), as_app=True),
    Route("POST", "/oauth2/introspect", OAUTH, form=("token", "token_type_hint"),
          as_app=True),
    Route("GET", "/oauth2/userinfo", OAUTH),
    Route("POST", "/oauth2/userinfo", OAUTH),
    Route("GET", "/oauth2/authorize", PAGE, query=AUTHORIZE),
    Route("GET", "/oauth2/authorize/continue/{request_id}", PAGE),
    Route("POST", "/oauth2/authorize/continue/{request_id}", PAGE,
          form=("decision", "sync", "crosspost")),
    Route("GET", "/oauth2/logout", PAGE, query=LOGOUT),
    Route("POST", "/oauth2/logout", PAGE, form=LOGOUT),
    Route("GET", "/", PAGE),
    Route("GET", "/signup", PAGE, query=("next",)),
    Route("POST", "/signup", PAGE, form=("login", "password", "next")),
    Route("GET", "/login", PAGE, query=("next",)),
    Route("POST", "/login", PAGE, form=("login", "password", "next")),
    Route("GET", "/login/two-factor", PAGE, query=("next",)),
    Route("POST", "/login/two-factor", PAGE, form=("code", "next")),
    Route("POST", "/logout", PAGE),
    Route("GET", "/accounts", PAGE, query=("done",)),
    Route("GET", "/accounts/{link_id}/remove", PAGE),
    Route("POST", "/accounts/{link_id}/remove", PAGE),
    Route("POST", "/accounts/{link_id}/sign-in", PAGE, form=("enabled",)),
    Route("GET", "/profile", PAGE, query=("done",)),
    Route("POST", "/profile", PAGE, form=("name", "handle", "bio")),
    Route("POST", "/profile/sync/{link_id}/{field}", PAGE, form=("enabled",)),
    Route("POST", "/profile/photo", PAGE, form=("photo",)),
    Route("POST", "/profile/photo/remove", PAGE),
    Route("POST", "/profile/avatar", PAGE, form=PARTS),
    Route("GET", "/profile/creations", PAGE, query=("done",)),
    Route("POST", "/profile/creations/sticker", PAGE, form=("expression", "title")),
    Route("POST", "/profile/creations/upload", PAGE, form=("file", "title")),
    Route("POST", "/profile/creations/{creation_id}/visibility", PAGE, form=("hidden",)),
    Route("GET", "/profile/creations/{creation_id}/delete", PAGE),
    Route("POST", "/profile/creations/{creation_id}/delete", PAGE),
    Route("GET", "/avatar/editor", PAGE, query=("current", "history", "action", *PARTS)),
    Route("GET", "/avatar-preview.svg", PROBLEM, query=PARTS),
    Route("GET", "/connected-experiences", PAGE, query=("done",)),
    Route("GET", "/connected-experiences/posts/{crosspost_id}/delete", PAGE),
    Route("POST", "/connected-experiences/posts/{crosspost_id}/delete", PAGE),
    Route("GET", "/connected-experiences/posts/{crosspost_id}/kept/{choice_id}/delete", PAGE),
    Route("POST", "/connected-experiences/posts/{crosspost_id}/kept/{choice_id}/delete",
          PAGE),
    Route("POST", "/connected-experiences/choice", PAGE, form=(
        "source_link_id", "destination_link_id", "source_type", "destination_type", "mode")),
    Route("GET", "/your-information", PAGE, query=("kind", "done")),
    Route("POST", "/your-information/verify", PAGE),
    Route("GET", "/your-information/receipt", PAGE),
    Route("POST", "/your-information/receipt/check", PAGE, form=("receipt",)),
    Route("POST", "/your-information/erase/{app_id}", PAGE),
    Route("POST", "/your-information/age", PAGE, form=("birth_date",)),
    Route("POST", "/your-information/download", PAGE),
    Route("GET", "/your-information/download/{job_id}", PAGE),
    Route("GET", "/your-information/download/{job_id}/status", PAGE),
    Route("GET", "/your-information/download/{job_id}/file", PAGE),
    Route("GET", "/ad-preferences", PAGE, query=("done",)),
    Route("POST", "/ad-preferences/{app_id}", PAGE, form=("granted",)),
    Route("GET", "/security", PAGE, query=("done",)),
    Route("POST", "/security/password", PAGE,
          form=("current_password", "new_password", "log_out_others")),
    Route("POST", "/security/two-factor/start", PAGE),
    Route("GET", "/security/two-factor/setup", PAGE),
    Route("POST", "/security/two-factor/confirm", PAGE, form=("code",)),
    Route("POST", "/security/two-factor/recovery-codes", PAGE, form=("password",)),
    Route("POST", "/security/two-factor/disable", PAGE, form=("password",)),
    Route("POST", "/security/sessions/end-others", PAGE),
    Route("POST", "/security/sessions/{session_id}/end", PAGE),
    Route("GET", "/static/{path}", PAGE),
    Route("GET", "/media/{digest}", PROBLEM, query=("app", "exp", "sig")),
]
# Where the hostile value is not, the request carries a valid value, so it gets as far
# as it can.
VALID = {"app_user_id": "chat-ada", "category": "device"}


def app_routes(hub) -> set[str]:
    """Every method and path the application answers, read from the application."""
    found: set[str] = set()
    for route in create_app(hub).routes:
        contexts = (route.effective_route_contexts()
                    if hasattr(route, "effective_route_contexts") else [route])
        for context in contexts:
            context = getattr(context, "starlette_route", None) or context
            path = getattr(context, "path_format", None) or getattr(context, "path", "")
            methods = getattr(context, "methods", None) or {"GET"}  # a mount: GET
            found.update(f"{method} {path}" for method in methods if method != "HEAD")
    return found


def test_the_table_covers_every_route(hub):
    assert {str(route) for route in ROUTES} == app_routes(hub)


class Scene:
    """A logged-in person whose Chat account is linked; sends requests as written."""

    def __init__(self, chat: App, visitor: Browser, *, linked: bool) -> None:
        visitor.sign_up()
        if linked:
            link(chat, visitor, app_user_id="chat-ada")
        self.chat, self.client = chat, visitor.client
        self.csrf = csrf_from(self.client.get("/security").text)
        self.authorize = chat.authorization_params()

    def send(self, route: Route, path: str, query: str = "", form: str | None = None,
             *, csrf: bool = True) -> httpx.Response:
        headers = {"x-csrf-token": self.csrf} if csrf else {}
        content: str | None = None
        if route.method == "POST" and route.path.startswith("/v1/"):
            headers["content-type"] = "application/json"
            content = '{"purpose": "security_and_integrity", "fields": {"model": "x"}}'
        elif form is not None or route.method == "POST":
            headers["content-type"] = "application/x-www-form-urlencoded"
            content = form or ""
            if csrf and route.errors_as == PAGE:
                content += f"&csrf_token={self.csrf}"
        url = path + ("?" + query if query else "")
        return self.client.request(route.method, url, headers=headers, content=content,
                                   auth=self.chat.auth if route.as_app else None)

    def valid_query(self, route: Route, leave_out: str) -> list[str]:
        if route.path != "/oauth2/authorize":
            return []
        return [f"{k}={quote(v)}" for k, v in self.authorize.items() if k != leave_out]


def fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def requests_for(scene: Scene, route: Route, raw: str):
    """The route's requests with ``raw`` in one place each: every path parameter, every
    query parameter (or a stray one), every form field at once."""
    valid = {name: VALID.get(name, "x") for name in route.path_params}
    for name in route.path_params:
        yield scene.send(route, fill(route.path, {**valid, name: raw}))
    # On a POST the query is all that is hostile: sent without the CSRF token, so that
    # logging out or starting a download does not happen many times over.
    csrf = route.method != "POST"
    for name in route.query or ("unexpected",):
        query = "&".join([*scene.valid_query(route, name), f"{name}={raw}"])
        yield scene.send(route, fill(route.path, valid), query, csrf=csrf)
    if route.form:
        yield scene.send(route, fill(route.path, valid),
                         form="&".join(f"{name}={raw}" for name in route.form))


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_hostile_input_never_gives_a_500(chat, visitor, route):
    scene = Scene(chat, visitor, linked=route.as_app)
    for label, raw in HOSTILE.items():
        for response in requests_for(scene, route, raw):
            what = f"{route} with {label}: {response.request.url}"[:300]
            assert response.status_code < 500, what
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith(route.errors_as), what


def test_an_address_that_is_not_text_is_refused_naming_the_parameter(chat, visitor):
    visitor.sign_up()
    answer = visitor.client.get("/v1/me/security-events?before=%00")
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["errors"][0]["location"] == "before"
    answer = chat.client.delete("/v1/app/links/chat%FFuser", auth=chat.auth)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["location"] == "app_user_id"
    page = visitor.client.get("/your-information/download/a%00b")
    assert page.status_code == 422 and page.headers["content-type"].startswith(PAGE)
    assert "This address is not valid" in page.text
    # The provider's machine endpoints keep to RFC 6749 errors.
    refused = chat.client.post("/oauth2/revoke?hint=%0A", auth=chat.auth, data={"token": "x"})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"


def test_ids_beyond_their_column_are_refused_not_looked_up(visitor):
    visitor.sign_up()
    # security_events.id is a 4-byte INTEGER: PostgreSQL fails comparing it with more.
    beyond = visitor.client.get("/v1/me/security-events?before=2147483648")
    assert beyond.status_code == 422
    assert beyond.json()["errors"][0]["location"] == "before"
    assert visitor.client.get("/v1/me/security-events?before=2147483647").status_code == 200
    # An id longer than any the hub issues is refused, not cut short and found anyway.
    token = csrf_from(visitor.client.get("/your-information").text)
    started = visitor.client.post("/your-information/download", data={"csrf_token": token})
    page = started.headers["location"]
    assert visitor.client.get(page).status_code == 200
    assert visitor.client.get(page + "0").status_code == 422
