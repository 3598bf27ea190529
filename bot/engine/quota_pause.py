"""After OpenAI's "insufficient quota", no model calls for a while.

Every call would fail the same way until the owner adds credit; asking again for each message
only hammers the API. Users get the quota sentence (with "Try again") at once, the owner one
notice per pause, and calls resume by themselves when the pause ends.
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
        self.notify_owner: OwnerNotice | None = None  # set once Telegram is wired (ERROR_CHAT_ID)

    @property
    def active(self) -> bool:
        return self._clock() < self._until

    async def start(self, detail: str) -> None:
        """The API said the credit is used up: pause (once; a pause in progress is not reset)."""
        if self.active:
            return
        self._until = self._clock() + self._seconds
        minutes = max(1, round(self._seconds / 60))
        line = (
            f"OpenAI says the account's credit is used up ({detail}): add credit or raise the "
            f"project's limit. No model calls for {minutes} min; users are told meanwhile."
        )
        logger.error("%s", line)
        if self.notify_owner is not None:
            await self.notify_owner(f"⚠️ {line}")
