"""Server-side sessions: stored hashed, expire, listed, ended (CHECKLIST 28)."""

from datetime import timedelta

import pytest

from accounts_center.crypto.tokens import digest
from accounts_center.domain.errors import NotFound
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.hub_sessions import (
    end_session,
    list_sessions,
    log_out,
    log_out_other_sessions,
    resolve_session,
)
from accounts_center.services.log_in import log_in
from accounts_center.services.security_log import list_security_events
from accounts_center.services.sign_up import sign_up

LAPTOP = RequestOrigin("203.0.113.5", "Firefox on Linux")
PHONE = RequestOrigin("198.51.100.20", "Safari on iPhone")
PASSWORD = "correct horse battery"


def test_only_a_digest_of_the_session_token_is_stored(hub):
    session = sign_up(hub, "ada@example.com", PASSWORD, LAPTOP)
    with hub.unit_of_work() as uow:
        row = uow.hub_sessions.by_token_digest(digest(session.token))
        assert row is not None and row.token_digest != session.token


def test_a_session_resolves_until_logout(hub):
    session = sign_up(hub, "ada@example.com", PASSWORD, LAPTOP)
    assert resolve_session(hub, session.token, LAPTOP).identity_id == session.identity_id
    log_out(hub, session, LAPTOP)
    assert resolve_session(hub, session.token, LAPTOP) is None
    assert resolve_session(hub, "made-up-token", LAPTOP) is None
    assert resolve_session(hub, "x" * 10_000, LAPTOP) is None


def test_idle_and_absolute_expiry_end_a_session(hub, clock):
    session = sign_up(hub, "ada@example.com", PASSWORD, LAPTOP)
    clock.advance(minutes=hub.settings.session_idle_minutes + 1)
    assert resolve_session(hub, session.token, LAPTOP) is None
    active = log_in(hub, "ada@example.com", PASSWORD, LAPTOP)
    for _ in range(hub.settings.session_absolute_days):
        clock.advance(days=1)
        resolve_session(hub, active.token, LAPTOP)  # used every day
    assert resolve_session(hub, active.token, LAPTOP) is None


def test_the_sessions_list_shows_device_address_and_last_seen(hub, clock):
    laptop = sign_up(hub, "ada@example.com", PASSWORD, LAPTOP)
    clock.advance(minutes=5)
    phone = log_in(hub, "ada@example.com", PASSWORD, PHONE)
    clock.advance(minutes=5)
    resolve_session(hub, laptop.token, LAPTOP)
    listed = {s.user_agent: s for s in list_sessions(hub, phone)}
    assert set(listed) == {"Firefox on Linux", "Safari on iPhone"}
    assert listed["Safari on iPhone"].is_current
    assert listed["Firefox on Linux"].ip == "203.0.113.5"
    assert listed["Firefox on Linux"].last_seen_at == clock.now()
    assert listed["Safari on iPhone"].last_seen_at == clock.now() - timedelta(minutes=5)


def test_log_out_other_sessions_keeps_only_this_one(hub):
    laptop = sign_up(hub, "ada@example.com", PASSWORD, LAPTOP)
    phone = log_in(hub, "ada@example.com", PASSWORD, PHONE)
    assert log_out_other_sessions(hub, laptop, LAPTOP) == 1
    assert resolve_session(hub, phone.token, PHONE) is None
    assert resolve_session(hub, laptop.token, LAPTOP) is not None
    assert "sessions_ended" in [e.kind.value for e in list_security_events(
        hub, laptop.identity_id)]


def test_a_person_cannot_end_someone_elses_session(hub):
    ada = sign_up(hub, "ada@example.com", PASSWORD, LAPTOP)
    bob = sign_up(hub, "bob@example.com", PASSWORD, PHONE)
    with pytest.raises(NotFound):
        end_session(hub, ada, bob.session_id, LAPTOP)
    assert resolve_session(hub, bob.token, PHONE) is not None
    end_session(hub, bob, bob.session_id, PHONE)
    assert resolve_session(hub, bob.token, PHONE) is None
