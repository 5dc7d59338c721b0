"""A form's error stays on its page, next to its field, with what was typed (issue 11,
point 10)."""

from __future__ import annotations

import html
import re

import pyotp

from tests.support import csrf_from
from tests.web.conftest import start_two_factor


def field(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, f"no {name} field"
    return found.group(0)


def errors_of(page: str, errors_id: str) -> list[str]:
    """The messages listed next to a field (the list its aria-describedby names)."""
    found = re.search(rf'<ul class="error field-errors" id="{errors_id}">(.*?)</ul>', page,
                      re.S)
    assert found, f"no {errors_id} on the page"
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def test_a_birth_date_in_the_future_is_said_next_to_the_field_on_its_page(aged_person):
    token = csrf_from(aged_person.get("/your-information").text)
    answer = aged_person.post("/your-information/age",
                              data={"birth_date": "2999-01-01", "csrf_token": token})
    assert answer.status_code == 422
    page = answer.text
    assert "<h1>Your information</h1>" in page  # its page, not an error page
    assert errors_of(page, "birth-date-errors") == ["Your birth date cannot be in the future."]
    birth_date = field(page, "birth_date")
    assert 'aria-describedby="birth-date-errors"' in birth_date
    assert 'aria-invalid="true"' in birth_date and 'value="2999-01-01"' in birth_date


def test_a_birth_date_that_is_not_a_date_says_how_to_write_one(aged_person):
    token = csrf_from(aged_person.get("/your-information").text)
    answer = aged_person.post("/your-information/age",
                              data={"birth_date": "soon", "csrf_token": token})
    assert answer.status_code == 422 and "for example 1990-04-21" in answer.text
    assert "birth_date must be" not in answer.text  # words for people, not for apps


def test_a_wrong_set_up_code_is_said_next_to_the_code_field(person):
    page, _ = start_two_factor(person)
    wrong = person.post("/security/two-factor/confirm",
                        data={"code": "000000", "csrf_token": csrf_from(page.text)})
    assert wrong.status_code == 422
    assert errors_of(wrong.text, "code-errors")[0].startswith("That code is not right.")
    assert 'aria-describedby="code-errors"' in field(wrong.text, "code")
    assert 'value="000000"' in field(wrong.text, "code")


def test_a_wrong_password_is_said_next_to_the_password_it_belongs_to(person, clock):
    page, secret = start_two_factor(person)
    person.post("/security/two-factor/confirm", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(page.text)})
    token = csrf_from(person.get("/security").text)
    for path, errors_id in (("/security/two-factor/disable", "disable-password-errors"),
                            ("/security/two-factor/recovery-codes", "recovery-password-errors")):
        wrong = person.post(path, data={"password": "not my password", "csrf_token": token})
        assert wrong.status_code == 422 and "<h1>Password and security</h1>" in wrong.text
        assert errors_of(wrong.text, errors_id) == ["That password is not correct."]
        assert wrong.text.count('aria-invalid="true"') == 1
        assert f'aria-describedby="{errors_id}"' in wrong.text
