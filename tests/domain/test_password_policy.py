"""Which new passwords the hub refuses, and what it says why (issue 11, point 7)."""

import time

import pytest

from accounts_center.domain.password_policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    Weakness,
    password_problems,
)
from accounts_center.domain.password_strength import ESTIMATED_LENGTH, estimated_part

ADA = "ada.lovelace@example.com"


def weaknesses(password: str, login: str = ADA) -> list[Weakness]:
    return [problem.weakness for problem in password_problems(password, login_value=login)]


def messages(password: str, login: str = ADA) -> list[str]:
    return [problem.message for problem in password_problems(password, login_value=login)]


@pytest.mark.parametrize("password", [
    "correct horse battery",
    "purple monkey dishwasher",
    "my cat eats pizza on sundays",
    "Summer vacation in the Dolomites",
    "bench-correct-horse-battery-staple",
    "x" * 3 + " looks odd but the rest is a long enough sentence to hold up",
])
def test_a_long_passphrase_is_accepted(password):
    assert password_problems(password, login_value=ADA) == []


@pytest.mark.parametrize("password", [
    "мой пароль очень длинный",
    "仕事の後で山に登る猫と犬たちと一緒に",
    "Ünïcödé wörds änd möre wörds",
    "🐙 octopus garden under the sea 🌊",
])
def test_a_unicode_passphrase_is_accepted(password):
    assert password_problems(password, login_value=ADA) == []


def test_a_common_password_is_refused_saying_it_is_common_with_every_other_reason():
    assert messages("password") == [
        f"Use at least {MIN_LENGTH} characters: a few words together are long enough and "
        "easy to remember.",
        "This is one of the most common passwords, among the first that anyone guessing "
        "tries.",
        "Add another word or two: uncommon words are better.",
    ]


FULLWIDTH_PASSWORD = "\uff30\uff41\uff53\uff53\uff57\uff4f\uff52\uff44"  # NFKC: Password


@pytest.mark.parametrize("password", ["Password", "PASSWORD", "iloveyou", "trustno1",
                                      "1q2w3e4r5t6y", "1234qwerasdfzxcv", FULLWIDTH_PASSWORD])
def test_the_blocklist_ignores_case_and_look_alike_forms(password):
    assert Weakness.COMMON in weaknesses(password)


@pytest.mark.parametrize("password", ["P@ssw0rd12345678", "iloveyou iloveyou",
                                      "Password1234567!", "drowssap drowssap"])
def test_a_common_password_dressed_up_is_refused(password):
    assert Weakness.LIKE_COMMON in weaknesses(password)


@pytest.mark.parametrize(("password", "weakness"), [
    ("aaaaaaaaaaaaaaaa", Weakness.REPEAT),
    ("dragon dragon dragon", Weakness.REPEAT),
    ("abcabcabcabcabcabc", Weakness.REPEAT),
    ("abcdefghijklmnopq", Weakness.SEQUENCE),
    ("98765432109876543", Weakness.SEQUENCE),
    ("zxcvbnm,./;lkjhg", Weakness.KEYBOARD),
    ("!@#$%^&*()_+qwer", Weakness.KEYBOARD),
    ("19901231 19901231", Weakness.DATE),
])
def test_repeats_sequences_keyboard_rows_and_dates_are_refused_saying_so(password, weakness):
    found = weaknesses(password)
    assert weakness in found and Weakness.GUESSABLE in found, found


def test_the_email_address_is_refused_inside_any_password():
    assert weaknesses("Ada.Lovelace@Example.com is how I log in") == [Weakness.LOGIN_NAME]
    assert messages("Ada.Lovelace@Example.com is how I log in") == [
        "It contains your email address, or part of it, which anyone who knows you can "
        "guess."]


def test_a_part_of_the_email_address_with_a_guessable_rest_is_refused():
    assert Weakness.LOGIN_NAME in weaknesses("adalovelace1815!!")
    assert Weakness.LOGIN_NAME in weaknesses("lovelace lovelace")
    # ...while a strong password that happens to hold a part of it is fine.
    assert weaknesses("ada sails the cold fjords at dawn") == []


def test_the_phone_number_is_refused_however_it_is_written():
    for password in ["my number is 020 7946 0958!", "+44 (20) 7946-0958 forever",
                     "79460958 and more words"]:
        assert Weakness.LOGIN_NAME in weaknesses(password, "+442079460958"), password
    assert "your phone number" in messages("my number is 020 7946 0958!", "+442079460958")[0]


@pytest.mark.parametrize("password", ["accountscenter2025", "AccountsCenter1!",
                                      "Accounts Center 2025!", "accounts-centre-123456"])
def test_the_services_name_with_a_guessable_rest_is_refused_saying_so(password):
    assert Weakness.SERVICE_NAME in weaknesses(password)
    assert "“Accounts Center”" in " ".join(messages(password))


def test_the_services_name_inside_a_strong_passphrase_is_fine():
    assert weaknesses("my accounts center passphrase: purple elephants dance") == []


def test_length_limits_count_characters_not_bytes():
    assert weaknesses("x" * (MIN_LENGTH - 1))[0] is Weakness.TOO_SHORT
    assert Weakness.TOO_SHORT not in weaknesses("日本語の長い文章を書いてみると面白い")  # 18 chars
    assert Weakness.TOO_LONG in weaknesses("correct horse battery " * 12)  # 264
    assert password_problems(("correct horse battery " * 12)[:MAX_LENGTH],
                             login_value=ADA) == []


def test_every_problem_is_listed_once_in_the_order_to_read_it():
    found = weaknesses("ada.lovelace@example.com")  # the login name, and guessable
    assert found[0] is Weakness.LOGIN_NAME and found[-1] is Weakness.GUESSABLE
    assert len(found) == len(set(found))


def test_the_estimator_never_sees_more_than_it_can_judge_quickly():
    # zxcvbn raises above 72 characters, and look-alike characters multiply its work.
    assert len(estimated_part("correct horse battery " * 10)) == ESTIMATED_LENGTH
    hostile = "4@8({[</369&#!1/|0$5+7%2/" * 10
    assert 12 <= len(estimated_part(hostile)) < 20
    started = time.perf_counter()
    for text in [hostile, "a" * MAX_LENGTH, "1234567890" * 25, "ab" * 128]:
        password_problems(text, login_value=ADA)
    assert time.perf_counter() - started < 1.0  # each well under what one argon2 hash costs


def test_a_long_password_is_judged_on_its_start_which_only_makes_it_stricter():
    # The characters after the first 72 add guesses; a weak start is still refused.
    assert Weakness.REPEAT in weaknesses("a" * 80 + " plus a long and varied ending")
