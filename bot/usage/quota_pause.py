"""After OpenAI's "insufficient quota", no model calls for a while.

Every call would fail the same way until the owner adds credit; asking again for each message
only hammers the API. Users get the quota sentence (with "Try again") at once, the owner one
notice per pause (the caller sends it), and calls resume by themselves when the pause ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

OwnerNotice = Callable[[str], Awaitable[None]]


class QuotaPause:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._until = 0.0

    @property
    def active(self) -> bool:
        return self._clock() < self._until

    def start(self, detail: str) -> str | None:
        """The API said the credit is used up: pause, and the line for the owner (None if a
        pause is already in progress: it is not reset, and the owner was told)."""
        if self.active:
            return None
        self._until = self._clock() + self._seconds
        minutes = max(1, round(self._seconds / 60))
        line = (
            f"OpenAI says the account's credit is used up ({detail}): add credit or raise the "
            f"project's limit. No model calls for {minutes} min; users are told meanwhile."
        )
        logger.error("%s", line)
        return line
