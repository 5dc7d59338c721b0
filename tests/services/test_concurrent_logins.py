"""Several hub threads failing logins at once: every failure is counted, none crashes
(the throttle row is created race-free on both databases)."""

from concurrent.futures import ThreadPoolExecutor

import pyotp

from accounts_center.domain.errors import LoginFailed, LoginThrottled, SecondFactorFailed
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.throttle import SECOND_FACTOR, account_key
from accounts_center.services.log_in import log_in
from accounts_center.services.sign_up import sign_up
from accounts_center.services.two_factor import (
    begin_totp_enrolment,
    complete_second_factor,
    confirm_totp_enrolment,
)


def test_parallel_failures_are_all_counted(hub):
    def attempt(n: int) -> str:
        try:
            log_in(hub, "target@example.com", "wrong password!", RequestOrigin(f"192.0.2.{n}"))
        except (LoginFailed, LoginThrottled) as refused:
            return type(refused).__name__
        return "logged in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(16)))
    assert set(outcomes) <= {"LoginFailed", "LoginThrottled"}
    with hub.unit_of_work() as uow:
        [row] = uow.throttles.get_many([account_key("target@example.com")])
        assert row.failures == outcomes.count("LoginFailed")


def test_parallel_code_guesses_never_get_past_the_limit_and_a_code_works_once(hub, clock):
    # The person's code counter is locked before anything is read, so parallel checks
    # take turns: each sees the failures, and the spent step, of the one before.
    home = RequestOrigin("203.0.113.5")
    session = sign_up(hub, "ada@example.com", "correct horse battery", home)
    totp = pyotp.TOTP(begin_totp_enrolment(hub, session).secret)
    confirm_totp_enrolment(hub, session, totp.at(clock.now()), home)
    clock.advance(seconds=30)
    right = totp.at(clock.now())
    wrong = next(c for c in ("000000", "111111", "222222")
                 if c not in {totp.at(clock.now().timestamp() + 30 * s) for s in (-2, -1, 0, 1, 2)})
    pending = log_in(hub, "ada@example.com", "correct horse battery", home)

    def attempt(code: str) -> str:
        try:
            complete_second_factor(hub, pending, code, RequestOrigin("198.51.100.1"))
        except (SecondFactorFailed, LoginThrottled, LoginFailed) as refused:
            return type(refused).__name__
        return "logged in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, [right, right]))
    assert sorted(outcomes) == ["SecondFactorFailed", "logged in"]  # the replay counts
    clock.advance(seconds=SECOND_FACTOR.interval.total_seconds())  # a whole burst again
    pending = log_in(hub, "ada@example.com", "correct horse battery", home)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, [wrong] * 16))
    assert outcomes.count("SecondFactorFailed") == SECOND_FACTOR.burst
    assert set(outcomes) == {"SecondFactorFailed", "SecondFactorThrottled"}
