"""The avatar in the console's Profile section (issue 13, point 4): the editor shows the
saved avatar (or the default) and "Save avatar" stores it; a bad part is refused, named."""

from __future__ import annotations

from dataclasses import replace

from accounts_center.domain.avatar import DEFAULT_AVATAR, PARTS, VOCABULARIES
from accounts_center.services.profiles import read_profile
from tests.support import csrf_from
from tests.web.conftest import person_id


def _other_spec():
    name = next(iter(VOCABULARIES))
    word = next(w for w in VOCABULARIES[name] if w != getattr(DEFAULT_AVATAR, name))
    return replace(DEFAULT_AVATAR, **{name: word})


def _form(spec, csrf: str) -> dict[str, str]:
    return {**spec.to_document(), "csrf_token": csrf, "action": "save",
            "current": "[]", "history": "[]"}


def test_the_editor_starts_from_the_default_and_saves(hub, person):
    page = person.get("/profile")
    assert 'id="avatar-editor"' in page.text
    spec = _other_spec()
    saved = person.post("/profile/avatar", data=_form(spec, csrf_from(page.text)))
    assert saved.status_code == 303, saved.text
    assert read_profile(hub, person_id(hub)).avatar == spec.to_document()
    again = person.get(saved.headers["location"])
    assert "Your avatar is saved." in again.text
    name = next(iter(VOCABULARIES))
    assert f'value="{getattr(spec, name)}" selected' in again.text


def test_htmx_save_answers_the_editor(hub, person):
    page = person.get("/profile")
    answer = person.post("/profile/avatar", data=_form(_other_spec(), csrf_from(page.text)),
                         headers={"hx-request": "true"})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("<form") and 'id="avatar-editor"' in answer.text
    assert "Your avatar is saved." in answer.text


def test_a_bad_part_is_refused_naming_it(hub, person):
    page = person.get("/profile")
    name = PARTS[0]
    form = {**_form(DEFAULT_AVATAR, csrf_from(page.text)), name: "<script>"}
    answer = person.post("/profile/avatar", data=form)
    assert answer.status_code == 422
    assert f'id="avatar-{name}-errors"' in answer.text and "not saved" in answer.text
    assert read_profile(hub, person_id(hub)).avatar is None
    missing = {k: v for k, v in _form(DEFAULT_AVATAR, csrf_from(page.text)).items()
               if k != name}
    assert person.post("/profile/avatar", data=missing).status_code == 422


def test_no_csrf_no_save(person):
    assert person.post("/profile/avatar", data=DEFAULT_AVATAR.to_document()).status_code == 403


def test_the_save_button_stays_after_a_change_on_the_profile_page(person):
    """The profile page's editor swaps itself on each change (htmx GET /avatar/editor):
    the answer still offers "Save avatar", posting to the profile; the editor's own page
    (no `saveable`) offers none."""
    changed = {**_other_spec().to_document(), "history": "[]"}
    on_profile = person.get("/avatar/editor", params={**changed, "saveable": "1"},
                            headers={"hx-request": "true"})
    assert on_profile.status_code == 200
    assert 'formaction="/profile/avatar"' in on_profile.text
    assert 'name="saveable" value="1"' in on_profile.text
    alone = person.get("/avatar/editor", params=changed, headers={"hx-request": "true"})
    assert "Save avatar" not in alone.text
