"""The token endpoint's short-lived client cache."""

from accounts_center.services.client_cache import (
    CLIENT_CACHE_SECONDS,
    cached_client,
    forget_clients,
)


class Loader:
    def __init__(self, answer):
        self.answer, self.calls = answer, 0

    def __call__(self):
        self.calls += 1
        return self.answer


def test_a_client_is_read_once_within_the_cache_time_and_again_after_it():
    memo, now = {}, [100.0]
    load = Loader("chat")
    assert cached_client(memo, "id", load, lambda: now[0]) == "chat"
    now[0] += CLIENT_CACHE_SECONDS - 0.01
    assert cached_client(memo, "id", load, lambda: now[0]) == "chat"
    assert load.calls == 1
    now[0] += 0.02
    cached_client(memo, "id", load, lambda: now[0])
    assert load.calls == 2


def test_unknown_clients_are_not_cached_and_forgetting_clears_everything():
    memo = {}
    missing = Loader(None)
    assert cached_client(memo, "nobody", missing) is None
    assert cached_client(memo, "nobody", missing) is None
    assert missing.calls == 2
    load = Loader("chat")
    cached_client(memo, "id", load)
    forget_clients(memo)
    cached_client(memo, "id", load)
    assert load.calls == 2
