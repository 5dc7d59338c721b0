"""Changing the password rotates the session and can end all others (CHECKLIST 28)."""

import pytest

from accounts_center.domain.errors import (
    InvalidInput,
    InvalidInputs,
    LoginFailed,
    PasswordCheckThrottled,
)
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.throttle import PER_ADDRESS
from accounts_center.services.change_password import change_password
from accounts_center.services.hub_sessions import resolve_session
from accounts_center.services.log_in import log_in
from accounts_center.services.sign_up import sign_up

HOME = RequestOrigin("203.0.113.5", "Firefox")
OLD, NEW = "correct horse battery", "another long passphrase"


def test_changing_the_password_ends_other_sessions_and_rotates_this_one(hub):
    current = sign_up(hub, "ada@example.com", OLD, HOME)
    elsewhere = log_in(hub, "ada@example.com", OLD, HOME)
    rotated = change_password(hub, current, OLD, NEW, log_out_others=True, origin=HOME)
    assert resolve_session(hub, elsewhere.token, HOME) is None
    assert resolve_session(hub, current.token, HOME) is None
    assert resolve_session(hub, rotated.token, HOME) is not None
    with pytest.raises(LoginFailed):
        log_in(hub, "ada@example.com", OLD, HOME)
    assert log_in(hub, "ada@example.com", NEW, HOME).is_full


def test_other_sessions_may_be_kept(hub):
    current = sign_up(hub, "ada@example.com", OLD, HOME)
    elsewhere = log_in(hub, "ada@example.com", OLD, HOME)
    change_password(hub, current, OLD, NEW, log_out_others=False, origin=HOME)
    assert resolve_session(hub, elsewhere.token, HOME) is not None


@pytest.mark.parametrize(("given_current", "new", "field"), [
    ("wrong password!!", NEW, "current_password"),
    (OLD, "short", "new_password"),
    (OLD, OLD, "new_password"),
])
def test_a_bad_change_is_refused_and_changes_nothing(hub, given_current, new, field):
    current = sign_up(hub, "ada@example.com", OLD, HOME)
    with pytest.raises(InvalidInput) as refused:
        change_password(hub, current, given_current, new, log_out_others=True, origin=HOME)
    assert refused.value.field == field
    assert resolve_session(hub, current.token, HOME) is not None
    assert log_in(hub, "ada@example.com", OLD, HOME).is_full


def test_a_common_new_password_is_refused_saying_why(hub):
    current = sign_up(hub, "ada@example.com", OLD, HOME)
    with pytest.raises(InvalidInputs) as refused:
        change_password(hub, current, OLD, "iloveyou", log_out_others=True, origin=HOME)
    assert [(p.field, p.detail) for p in refused.value.problems] == [
        ("new_password", "Use at least 15 characters: a few words together are long enough "
                         "and easy to remember."),
        ("new_password", "This is one of the most common passwords, among the first that "
                         "anyone guessing tries."),
        ("new_password", "Add another word or two: uncommon words are better.")]
    with pytest.raises(InvalidInputs) as refused:
        change_password(hub, current, OLD, "ada@example.com and then some",
                        log_out_others=True, origin=HOME)
    assert "It contains your email address" in refused.value.detail
    assert resolve_session(hub, current.token, HOME) is not None
    assert log_in(hub, "ada@example.com", OLD, HOME).is_full


def test_guessing_the_current_password_is_throttled_per_address(hub, clock):
    # Whoever holds someone's session must not get unlimited guesses at their password.
    current = sign_up(hub, "ada@example.com", OLD, HOME)
    for _ in range(PER_ADDRESS.free_failures + 1):
        with pytest.raises(InvalidInput):
            change_password(hub, current, "wrong password!!", NEW, log_out_others=True,
                            origin=HOME)
    with pytest.raises(PasswordCheckThrottled) as refused:
        change_password(hub, current, OLD, NEW, log_out_others=True, origin=HOME)
    assert refused.value.status == 429 and refused.value.retry_after_seconds == 1
    assert "Please wait 1 second" in refused.value.detail
    assert resolve_session(hub, current.token, HOME) is not None  # nothing changed
    assert log_in(hub, "ada@example.com", OLD, RequestOrigin("192.0.2.1")).is_full
    clock.advance(seconds=refused.value.retry_after_seconds)
    assert change_password(hub, current, OLD, NEW, log_out_others=True, origin=HOME).is_full
