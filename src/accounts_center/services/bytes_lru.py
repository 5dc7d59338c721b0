"""An in-process least-recently-used store of byte strings, bounded by their total size.

For values that never change under their key: avatar renders (keyed by the spec's digest)
and media blobs (keyed by the SHA-256 of their content). It holds bytes, never decisions:
whoever may have a value is checked before it is looked up here. Thread-safe (handlers
run on the event loop and in the thread pool)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class BytesLRU(Generic[K]):
    """The most recently used values of this process, at most ``max_bytes`` of them (a
    value larger than that is not kept)."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[K, bytes] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> bytes | None:
        with self._lock:
            content = self._entries.get(key)
            if content is not None:
                self._entries.move_to_end(key)
            return content

    def put(self, key: K, content: bytes) -> None:
        if len(content) > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            self._held -= len(previous) if previous is not None else 0
            self._entries[key] = content
            self._held += len(content)
            while self._held > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._held -= len(evicted)

    def discard(self, key: K) -> None:
        with self._lock:
            previous = self._entries.pop(key, None)
            self._held -= len(previous) if previous is not None else 0

    @property
    def held_bytes(self) -> int:
        return self._held
