"""argon2id hashing: verification, decoy for unknown accounts, bounded parallelism."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from accounts_center.crypto.passwords import PasswordHashing


def cheap(**kwargs) -> PasswordHashing:
    return PasswordHashing(time_cost=1, memory_kib=1024, parallelism=1, **kwargs)


def test_a_hash_verifies_only_its_own_password():
    hashing = cheap()
    stored = hashing.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert hashing.verify(stored, "correct horse battery")
    assert not hashing.verify(stored, "correct horse battery!")
    assert not hashing.verify("not a hash", "correct horse battery")


def test_no_stored_hash_never_verifies_even_the_decoy_password():
    hashing = cheap()
    assert not hashing.verify(None, "decoy password that never matches anything")


def test_no_more_hashes_run_at_once_than_allowed():
    hashing = cheap(max_concurrent=2)
    running, peak, lock = 0, 0, threading.Lock()
    real = hashing._hasher

    class SlowHasher:
        def hash(self, password: str) -> str:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.02)
            with lock:
                running -= 1
            return real.hash(password)

    hashing._hasher = SlowHasher()  # type: ignore[assignment]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(hashing.hash, ["a long password"] * 16))
    assert peak == 2
