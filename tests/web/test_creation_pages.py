"""The Creations page in the console (issue 13, point 5): reached from /profile and the
navigation; make a sticker (or be told to make an avatar first), upload an image (each
refusal said next to the file picker, never a 500), hide and show, delete after a
confirmation page; every form needs its CSRF token."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from accounts_center.domain.avatar import DEFAULT_AVATAR, EXPRESSIONS
from accounts_center.services.creations import list_creations
from accounts_center.services.profiles import set_profile_avatar
from tests.image_files import SVG, jpeg_with_gps, png_header_claiming
from tests.support import csrf_from
from tests.web.conftest import person_id

PAGE = "/profile/creations"


def token(client: TestClient) -> str:
    return csrf_from(client.get(PAGE).text)


def upload(client: TestClient, content: bytes, title: str = ""):
    return client.post("/profile/creations/upload",
                       data={"csrf_token": token(client), "title": title},
                       files={"file": ("made.jpg", content, "image/jpeg")})


def test_the_page_is_linked_from_the_profile_and_the_navigation(person):
    profile = person.get("/profile")
    assert 'href="/profile/creations"' in profile.text.split("<main", 1)[1]
    assert '<a href="/profile/creations"' in profile.text.split("<main", 1)[0]
    page = person.get(PAGE)
    assert page.status_code == 200
    assert "<h1>Creations</h1>" in page.text and "No creations yet" in page.text


def test_without_an_avatar_the_page_says_to_make_one_first(hub, person):
    page = person.get(PAGE)
    assert 'id="no-avatar"' in page.text and 'action="/profile/creations/sticker' not in page.text
    refused = person.post("/profile/creations/sticker",
                          data={"expression": "happy", "csrf_token": token(person)})
    assert refused.status_code == 422
    assert "make your avatar on the Profile page first" in refused.text


def test_a_sticker_is_made_from_the_avatar_with_the_chosen_expression(hub, person):
    set_profile_avatar(hub, person_id(hub), DEFAULT_AVATAR.to_document())
    page = person.get(PAGE)
    for expression in EXPRESSIONS:
        assert f'<option value="{expression}">' in page.text
    made = person.post("/profile/creations/sticker",
                       data={"expression": "surprised", "csrf_token": csrf_from(page.text)})
    assert made.status_code == 303
    shown = person.get(made.headers["location"])
    [creation] = list_creations(hub, person_id(hub))
    assert creation.expression == "surprised"
    assert f'src="/media/{creation.digest}"' in shown.text
    assert "Surprised sticker" in shown.text and "made in Accounts Center" in shown.text
    assert person.get(f"/media/{creation.digest}").headers["content-type"] == "image/png"


def test_an_uploaded_image_is_listed_with_its_title(hub, person):
    answer = upload(person, jpeg_with_gps(), title="Holiday")
    assert answer.status_code == 303, answer.text
    shown = person.get(answer.headers["location"])
    assert "Your image is added" in shown.text and "Holiday" in shown.text


@pytest.mark.parametrize(("content", "status", "words"), [
    (SVG, 422, "not a JPEG, PNG, WebP or HEIC"),
    (b"", 422, "Choose an image file"),
    (png_header_claiming(20_000, 20_000), 413, "too many pixels"),
])
def test_a_refused_upload_is_said_next_to_the_file_picker(hub, person, content, status,
                                                          words):
    answer = upload(person, content)
    assert answer.status_code == status
    errors = re.search(r'id="file-errors".*?</ul>', answer.text, re.S)
    assert errors and words in errors.group(0)
    assert 'aria-invalid="true" aria-describedby="file-errors"' in answer.text
    assert "Your image was not added" in answer.text  # said at the top too
    assert list_creations(hub, person_id(hub)) == []


def test_hide_and_show_toggle(hub, person):
    upload(person, jpeg_with_gps(), title="Holiday")
    [creation] = list_creations(hub, person_id(hub))
    hidden = person.post(f"/profile/creations/{creation.id}/visibility",
                         data={"hidden": "on", "csrf_token": token(person)})
    assert hidden.status_code == 303
    page = person.get(hidden.headers["location"])
    assert "hidden from your apps" in page.text and "Show to apps" in page.text
    assert list_creations(hub, person_id(hub))[0].hidden
    person.post(f"/profile/creations/{creation.id}/visibility",
                data={"hidden": "off", "csrf_token": token(person)})
    assert not list_creations(hub, person_id(hub))[0].hidden


def test_delete_asks_first_then_deletes(hub, person):
    upload(person, jpeg_with_gps(), title="Holiday")
    [creation] = list_creations(hub, person_id(hub))
    confirm = person.get(f"/profile/creations/{creation.id}/delete")
    assert confirm.status_code == 200 and "Delete “Holiday”?" in confirm.text
    assert list_creations(hub, person_id(hub))  # asking deleted nothing
    done = person.post(f"/profile/creations/{creation.id}/delete",
                       data={"csrf_token": csrf_from(confirm.text)})
    assert done.status_code == 303
    assert list_creations(hub, person_id(hub)) == []
    assert person.get(f"/profile/creations/{creation.id}/delete").status_code == 404


def test_every_form_needs_its_csrf_token(hub, person):
    upload(person, jpeg_with_gps())
    [creation] = list_creations(hub, person_id(hub))
    for path, data in ((f"/profile/creations/{creation.id}/delete", {}),
                       (f"/profile/creations/{creation.id}/visibility", {"hidden": "on"}),
                       ("/profile/creations/sticker", {"expression": "happy"})):
        assert person.post(path, data=data).status_code == 403
    refused = person.post("/profile/creations/upload",
                          files={"file": ("x.jpg", jpeg_with_gps(), "image/jpeg")})
    assert refused.status_code == 403
    assert list_creations(hub, person_id(hub)) == [creation]


def test_another_persons_creation_is_not_found(hub, person, client):
    upload(person, jpeg_with_gps())
    [creation] = list_creations(hub, person_id(hub))
    person.post("/logout", data={"csrf_token": token(person)})
    from tests.web.conftest import sign_up_through_form

    sign_up_through_form(client, "eve@example.com")
    assert client.get(f"/profile/creations/{creation.id}/delete").status_code == 404
    answer = client.post(f"/profile/creations/{creation.id}/delete",
                         data={"csrf_token": token(client)})
    assert answer.status_code == 404
    assert list_creations(hub, person_id(hub)) == [creation]


def test_logged_out_the_page_asks_to_log_in(client):
    answer = client.get(PAGE)
    assert answer.status_code in (302, 303) and "/login" in answer.headers["location"]


def test_your_information_says_what_happened_to_creations_in_words(hub, person):
    upload(person, jpeg_with_gps(), title="Holiday")
    [creation] = list_creations(hub, person_id(hub))
    person.post(f"/profile/creations/{creation.id}/visibility",
                data={"hidden": "on", "csrf_token": token(person)})
    page = person.get("/your-information?kind=creation")
    assert page.status_code == 200
    assert '<option value="creation"' in page.text
    assert "You made an image in your creations" in page.text
    assert "You hid an image of your creations from your apps" in page.text
