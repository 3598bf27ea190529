"""Rate limits on the web side's doors: sign-ins per address, chat messages per person.

A sliding window per key, kept in memory by the process that serves the request (a few
processes multiply the allowance by as many: enough to stop a script guessing or flooding)."""

from __future__ import annotations

import time
from collections import deque


class RateLimit:
    def __init__(self, count: int, seconds: float, *, keys: int = 10_000) -> None:
        self._count = count
        self._seconds = seconds
        self._keys = keys  # at most this many remembered (the oldest forgotten first)
        self._seen: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Whether one more request of `key` fits; it counts if it does."""
        now = time.monotonic()
        times = self._seen.pop(key, None) or deque()
        while times and now - times[0] > self._seconds:
            times.popleft()
        allowed = len(times) < self._count
        if allowed:
            times.append(now)
        self._seen[key] = times  # most recent last: the first key is the oldest
        if len(self._seen) > self._keys:
            del self._seen[next(iter(self._seen))]
        return allowed
