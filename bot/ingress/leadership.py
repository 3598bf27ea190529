"""The one process of the bot that polls (without a webhook) and runs the jobs that must run
once — registering the webhook and the commands, retention, forgetting old updates: the holder
of the lease "bot". Every process answers chats (`ChatLeases`); this is only the leader's extra
work. The others ask for the lease a few times a second, so a leader that stops is replaced at
once, and one that dies when its lease lapses (at once if it was on the same host)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.ingress.lease_book import LeaseBook
from storage import StorageUnavailable
from storage.coordination import Leases

logger = logging.getLogger(__name__)

LEASE = "bot"


class Leadership:
    def __init__(self, book: LeaseBook, leases: Leases, *, poll: float) -> None:
        self._book = book
        self._leases = leases
        self._poll = poll

    @property
    def leading(self) -> bool:
        return LEASE in self._book.held

    async def run(self, lead: Callable[[], Awaitable[None]]) -> None:
        """Ask for the lease until this process holds it, then do the leader's work (`lead`)."""
        while True:
            if await self._try():
                break
            await asyncio.sleep(self._poll)  # the database announces nothing: ask again
        logger.info(
            "This process leads: it takes updates from Telegram and runs the jobs that run once"
        )
        await self._book.beat("leading")
        await lead()

    async def _try(self) -> bool:
        try:
            held = await self._leases.holder(LEASE)
            dead = held.holder if held and self._book.identity.knows_dead(held.holder) else None
            taken = await self._book.take(LEASE, dead=dead)
        except StorageUnavailable as exc:
            logger.debug("Could not ask to lead: %s", exc)
            return False
        if taken and dead is not None:
            logger.info("Took the lead from process %s, which is no longer running", dead)
        return taken
