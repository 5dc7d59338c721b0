"""argon2id password hashing (SECURITY-CHECKLIST 25, 27).

At most one hash runs per core at a time: more in parallel would only share the same
cores, making every login slower, and each holds ``memory_kib`` of memory, so a burst of
logins could otherwise exhaust the machine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

T = TypeVar("T")


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


class PasswordHashing:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int,
                 max_concurrent: int | None = None) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib,
                                      parallelism=parallelism, type=Type.ID)
        self._slots = threading.BoundedSemaphore(max_concurrent or usable_cores())
        # Verified against when the account does not exist, so an unknown account costs
        # the same time as a wrong password (no enumeration by timing).
        self._decoy = self._hasher.hash("decoy password that never matches anything")

    def hash(self, password: str) -> str:
        return self._limited(lambda: self._hasher.hash(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            return self._limited(
                lambda: self._hasher.verify(stored_hash or self._decoy, password)) and (
                stored_hash is not None)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _limited(self, work: Callable[[], T]) -> T:
        with self._slots:
            return work()

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
