"""Password login on both databases: argon2id, same error, throttling, rehash."""

import pytest

from accounts_center.crypto.passwords import PasswordHashing
from accounts_center.domain.errors import AlreadyRegistered, LoginFailed, LoginThrottled
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.throttle import PER_ACCOUNT, PER_ADDRESS
from accounts_center.services.log_in import log_in
from accounts_center.services.security_log import list_security_events
from accounts_center.services.sign_up import sign_up

HOME = RequestOrigin(ip="203.0.113.5", user_agent="Firefox")
PASSWORD = "correct horse battery"


def test_sign_up_stores_an_argon2id_hash_never_the_password(hub):
    session = sign_up(hub, "ada@example.com", PASSWORD, HOME)
    with hub.unit_of_work() as uow:
        identity = uow.identities.get(session.identity_id)
        assert identity.password_hash.startswith("$argon2id$")
        assert PASSWORD not in identity.password_hash


def test_the_same_email_or_phone_cannot_sign_up_twice(hub):
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    with pytest.raises(AlreadyRegistered):
        sign_up(hub, "ADA@example.com", PASSWORD, HOME)
    sign_up(hub, "+44 20 7946 0958", PASSWORD, HOME)
    with pytest.raises(AlreadyRegistered):
        sign_up(hub, "0044 20 7946 0958", PASSWORD, HOME)


def test_log_in_with_email_or_phone(hub):
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    sign_up(hub, "+442079460958", PASSWORD, HOME)
    assert log_in(hub, "Ada@Example.com", PASSWORD, HOME).is_full
    assert log_in(hub, "+44 20 7946 0958", PASSWORD, HOME).is_full


def test_unknown_account_and_wrong_password_get_the_same_error(hub):
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    with pytest.raises(LoginFailed) as wrong_password:
        log_in(hub, "ada@example.com", "wrong password!", HOME)
    with pytest.raises(LoginFailed) as unknown:
        log_in(hub, "nobody@example.com", PASSWORD, HOME)
    assert wrong_password.value.detail == unknown.value.detail
    assert wrong_password.value.status == unknown.value.status


def test_an_unknown_account_still_costs_one_hash_verification(hub, monkeypatch):
    # Same timing within noise (CHECKLIST 27): the decoy hash is verified, not skipped.
    calls = []
    real_verify = PasswordHashing.verify

    def counting(self, stored, password):
        calls.append(stored)
        return real_verify(self, stored, password)

    monkeypatch.setattr(PasswordHashing, "verify", counting)
    with pytest.raises(LoginFailed):
        log_in(hub, "nobody@example.com", PASSWORD, HOME)
    assert calls == [None]


def test_successful_and_failed_logins_are_security_events_the_person_sees(hub):
    identity = sign_up(hub, "ada@example.com", PASSWORD, HOME).identity_id
    with pytest.raises(LoginFailed):
        log_in(hub, "ada@example.com", "wrong password!", RequestOrigin("198.51.100.7", "Bot"))
    log_in(hub, "ada@example.com", PASSWORD, HOME)
    events = list_security_events(hub, identity)
    assert [e.kind.value for e in events] == ["login_succeeded", "login_failed", "signed_up"]
    assert events[1].ip == "198.51.100.7" and events[1].user_agent == "Bot"


def test_repeated_failures_throttle_the_account_with_a_growing_delay(hub, clock):
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    for _ in range(PER_ACCOUNT.free_failures + 1):
        with pytest.raises(LoginFailed):
            log_in(hub, "ada@example.com", "wrong password!", HOME)
    with pytest.raises(LoginThrottled) as first:
        log_in(hub, "ada@example.com", PASSWORD, HOME)  # even the right password waits
    assert "wait" in first.value.detail and first.value.retry_after_seconds >= 1
    clock.advance(seconds=first.value.retry_after_seconds)
    with pytest.raises(LoginFailed):
        log_in(hub, "ada@example.com", "wrong password!", HOME)
    with pytest.raises(LoginThrottled) as second:
        log_in(hub, "ada@example.com", PASSWORD, HOME)
    assert second.value.retry_after_seconds > first.value.retry_after_seconds


def test_a_throttled_account_opens_again_after_the_capped_delay(hub, clock):
    # No hard lock-out an attacker can keep up for someone else (CHECKLIST 26).
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    for n in range(30):  # from many addresses, so only the account counter grows
        clock.advance(seconds=61)
        with pytest.raises(LoginFailed):
            log_in(hub, "ada@example.com", "guess guess guess", RequestOrigin(f"198.51.100.{n}"))
    clock.advance(seconds=PER_ACCOUNT.max_delay_seconds)
    assert log_in(hub, "ada@example.com", PASSWORD, HOME).is_full


def test_one_address_guessing_many_accounts_is_throttled(hub):
    prober = RequestOrigin(ip="198.51.100.99")
    for n in range(PER_ADDRESS.free_failures + 1):
        with pytest.raises(LoginFailed):
            log_in(hub, f"person{n}@example.com", "guess guess guess", prober)
    with pytest.raises(LoginThrottled):
        log_in(hub, "someone-new@example.com", "guess guess guess", prober)
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    assert log_in(hub, "ada@example.com", PASSWORD, HOME).is_full  # other addresses unaffected


def test_a_successful_login_resets_the_account_counter(hub):
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    for _ in range(PER_ACCOUNT.free_failures):
        with pytest.raises(LoginFailed):
            log_in(hub, "ada@example.com", "wrong password!", HOME)
    log_in(hub, "ada@example.com", PASSWORD, HOME)
    with pytest.raises(LoginFailed):  # a fresh allowance, not an immediate throttle
        log_in(hub, "ada@example.com", "wrong password!", HOME)


def test_hashes_are_upgraded_on_login_when_parameters_change(hub):
    identity = sign_up(hub, "ada@example.com", PASSWORD, HOME).identity_id
    hub.passwords = PasswordHashing(time_cost=2, memory_kib=2048, parallelism=1)
    log_in(hub, "ada@example.com", PASSWORD, HOME)
    with hub.unit_of_work() as uow:
        stored = uow.identities.get(identity).password_hash
    assert "m=2048,t=2,p=1" in stored
    assert log_in(hub, "ada@example.com", PASSWORD, HOME).is_full


def test_each_login_gets_a_new_random_session_token(hub):
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    first = log_in(hub, "ada@example.com", PASSWORD, HOME)
    second = log_in(hub, "ada@example.com", PASSWORD, HOME)
    assert first.token != second.token
    assert len(first.token) >= 43  # 32 random bytes, base64url: at least 128 bits
