"""Several hub threads failing logins at once: every failure is counted, none crashes
(the throttle row is created race-free on both databases)."""

from concurrent.futures import ThreadPoolExecutor

from accounts_center.domain.errors import LoginFailed, LoginThrottled
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.throttle import account_key
from accounts_center.services.log_in import log_in


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
