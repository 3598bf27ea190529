"""Who counts as a member for the budgets (not a guest in a group): ALLOWED_USERS, and the
people an owner let in from the web pages.

The meter asks for every turn, synchronously, so the people let in are kept here as a set:
read at start, changed at once by this process's own People page, and read again every minute
(another process's page may have changed them)."""

from __future__ import annotations

import asyncio
import logging

from bot.config import AllowedUsers
from storage import StorageUnavailable
from storage.personal_data import People

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 60.0


class Members:
    def __init__(self, allowed: AllowedUsers, people: People) -> None:
        self._allowed = allowed
        self._people = people
        self._let_in: frozenset[int] = frozenset()

    def __call__(self, user_id: int) -> bool:
        return self._allowed.allows(user_id) or user_id in self._let_in

    def changed(self, user_id: int, allowed: bool) -> None:
        """This process's People page let someone in (or took them off)."""
        self._let_in = self._let_in | {user_id} if allowed else self._let_in - {user_id}

    async def refresh(self) -> None:
        try:
            self._let_in = await self._people.allowed_ids()
        except StorageUnavailable as exc:
            logger.debug("Could not read who was let in: %s", exc)

    async def keep_fresh(self, every: float = REFRESH_SECONDS) -> None:
        """Read the list again every minute (run in the background until cancelled)."""
        while True:
            await self.refresh()
            await asyncio.sleep(every)
