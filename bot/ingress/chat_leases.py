"""Which chats this process answers: one lease per chat ("chat:<id>"), so each chat is answered
by one process at a time, in order, while the bot's chats spread over its processes.

A process claims the chats whose updates wait in the journal and that nobody holds; it first
resumes what the chat's inbox holds (an answer a dead or stopped process was writing is picked
up by its id), then its updates are handed to the handlers. A chat quiet for a while is handed
back, so a process that starts later gets its share.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable

from bot.ingress.lease_book import LeaseBook
from storage.coordination import Leases

logger = logging.getLogger(__name__)

IDLE_SECONDS = 30.0  # a chat this quiet is handed back
SPARE_CLAIMS = 2  # claimed per round beyond a fair share, so no chat waits for a round


def lease_name(chat_id: int) -> str:
    return f"chat:{chat_id}"


def fair_share(free: int, processes: int) -> int:
    """How many of `free` chats one of `processes` claims in a round: its share and a little
    more (after an outage the first process back would otherwise take every chat)."""
    return math.ceil(free / max(1, processes)) + SPARE_CLAIMS


class ChatLeases:
    def __init__(
        self,
        book: LeaseBook,
        leases: Leases,
        resume: Callable[[list[int]], Awaitable[int]],
        busy: Callable[[int], bool],
        *,
        idle_after: float = IDLE_SECONDS,
    ) -> None:
        self._book = book
        self._leases = leases
        self._resume = resume  # the chat's inbox: answers to resume, messages to answer
        self._busy = busy  # whether the engine has work for the chat
        self._idle_after = idle_after
        self._active: dict[int, float] = {}  # chat → last activity (monotonic)

    def owns(self, chat_id: int) -> bool:
        return lease_name(chat_id) in self._book.held

    @property
    def owned(self) -> list[int]:
        return sorted(self._active)

    def touch(self, chat_id: int) -> None:
        self._active[chat_id] = time.monotonic()

    async def claim(self, chats: list[int]) -> list[int]:
        """Claim what this process may of `chats` (waiting, not held here), oldest first."""
        names = [lease_name(c) for c in chats]
        others = await self._leases.held_by_others(names, self._book.identity.id)
        dead = {h for h in set(others.values()) if self._book.identity.knows_dead(h)}
        free = [c for c in chats if others.get(lease_name(c)) in (None, *dead)]
        wanted = free[: fair_share(len(free), 1 + len(self._book.others))]
        if not wanted:
            return []
        taken = set(
            await self._book.take_many([lease_name(c) for c in wanted], dead=frozenset(dead))
        )
        claimed = [c for c in wanted if lease_name(c) in taken]
        for chat in claimed:
            self.touch(chat)
        if claimed:
            resumed = await self._resume(claimed)
            if resumed:
                logger.info(
                    "Resuming %d messages of chats %s", resumed, ", ".join(map(str, claimed))
                )
        return claimed

    async def hand_back_idle(self, handling: Callable[[int], bool]) -> None:
        """Hand back the chats quiet for a while (nothing handled, queued or waiting)."""
        now = time.monotonic()
        for chat, last in list(self._active.items()):
            if now - last < self._idle_after or self._busy(chat) or handling(chat):
                continue
            if await self._book.give_back(lease_name(chat), idle_chat=chat):
                del self._active[chat]
            else:
                self.touch(chat)  # an update arrived meanwhile: still this process's

    async def look_around(self) -> bool:
        """Learn which other processes of the bot are alive (for the fair share, and so this
        one shares the flood budget as soon as another joins): whether any is."""
        return bool(await self._book.look_around())

    def forget(self) -> None:
        """Every chat handed back (stopping)."""
        self._active.clear()
