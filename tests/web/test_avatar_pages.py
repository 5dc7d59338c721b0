"""The avatar editor and its preview image (issue 13, point 4)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.testclient import TestClient

from accounts_center.domain.avatar import DEFAULT_AVATAR, PARTS

PREVIEW = "/avatar-preview.svg?" + urlencode(DEFAULT_AVATAR.to_document())


def _preview_src(html: str) -> str:
    return html.split('id="avatar-preview" src="')[1].split('"')[0].replace("&amp;", "&")


def _field(html: str, name: str) -> str:
    raw = html.split(f'name="{name}" value="')[1].split('"')[0]
    return raw.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")


def test_the_preview_is_an_svg_that_can_run_nothing(person: TestClient):
    response = person.get(PREVIEW)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["etag"] == f'"{DEFAULT_AVATAR.digest()}"'
    assert "max-age" in response.headers["cache-control"]
    assert response.text.startswith("<svg")


def test_a_browser_holding_the_preview_gets_not_modified(person: TestClient):
    etag = person.get(PREVIEW).headers["etag"]
    again = person.get(PREVIEW, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content


def test_a_bad_part_is_a_problem_naming_it_never_a_500(person: TestClient):
    response = person.get(PREVIEW.replace("mouth=smile", "mouth=fangs"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "mouth"


def test_an_extra_or_repeated_parameter_is_refused_by_name(person: TestClient):
    extra = person.get(PREVIEW + "&shirt_text=hi")
    assert extra.status_code == 422 and extra.json()["field"] == "shirt_text"
    repeated = person.get(PREVIEW + "&eyes=wink")
    assert repeated.status_code == 422 and repeated.json()["field"] == "eyes"
    colour = person.get(PREVIEW.replace("background=%2365c9ff", "background=blue"))
    assert colour.status_code == 422 and colour.json()["field"] == "background"


def test_the_preview_and_the_editor_need_a_login(client: TestClient):
    for path in (PREVIEW, "/avatar/editor"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_the_editor_shows_a_labelled_choice_for_every_part(person: TestClient):
    page = person.get("/avatar/editor")
    assert page.status_code == 200
    for name in PARTS:
        assert f'<label for="avatar-{name}">' in page.text
        assert f'<select id="avatar-{name}" name="{name}">' in page.text
    assert _preview_src(page.text) == PREVIEW
    assert "<script" not in page.text.split("<main")[1].split("</main>")[0]


def _editor(person: TestClient, params: dict[str, str], *, htmx: bool = True) -> str:
    response = person.get("/avatar/editor", params=params,
                          headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code == 200, response.text
    return response.text


def _state(html: str) -> dict[str, str]:
    return {"current": _field(html, "current"), "history": _field(html, "history"),
            **dict(parse_qsl(urlsplit(_preview_src(html)).query))}


def test_change_randomise_and_undo_without_server_state(person: TestClient):
    start = _state(person.get("/avatar/editor").text)
    changed_html = _editor(person, {**start, "eyes": "wink"})
    assert "<html" not in changed_html  # htmx gets the editor alone
    changed = _state(changed_html)
    assert changed["eyes"] == "wink" and len(json.loads(changed["history"])) == 1
    randomised = _state(_editor(person, {**changed, "action": "randomise"}))
    assert len(json.loads(randomised["history"])) == 2
    undone = _state(_editor(person, {**randomised, "action": "undo"}))
    assert undone == changed
    first = _state(_editor(person, {**undone, "action": "undo"}))
    assert first == start


def test_the_editor_works_as_a_plain_form_without_script(person: TestClient):
    start = _state(person.get("/avatar/editor").text)
    page = _editor(person, {**start, "mouth": "sad", "action": "change"}, htmx=False)
    assert "<html" in page and _state(page)["mouth"] == "sad"


def test_a_tampered_history_is_a_problem_not_a_500(person: TestClient):
    start = _state(person.get("/avatar/editor").text)
    response = person.get("/avatar/editor", params={**start, "history": '[["x"]]'},
                          headers={"HX-Request": "true"})
    assert response.status_code == 422 and response.json()["field"] == "history"
    page = person.get("/avatar/editor", params={**start, "history": "{"})
    assert page.status_code == 422 and "<html" in page.text


def test_a_page_that_saves_avatars_gets_a_save_button_posting_every_part():
    from accounts_center.web.console.avatar_pages import editor_context
    from accounts_center.web.console.rendering import templates

    html = templates.env.get_template("avatar_editor.html").render(
        csrf_token="token", **editor_context(DEFAULT_AVATAR, [], save_url="/profile/avatar"))
    assert 'formaction="/profile/avatar"' in html and 'hx-post="/profile/avatar"' in html
    assert 'name="csrf_token" value="token"' in html
    plain = templates.env.get_template("avatar_editor.html").render(
        csrf_token="token", **editor_context(DEFAULT_AVATAR, []))
    assert "Save avatar" not in plain
