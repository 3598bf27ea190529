"""Each kept update to the handlers, once, in the order Telegram numbered them — by the process
that holds the update's chat.

Telegram posts a chat's updates one at a time, each after the previous one was acknowledged —
that is, kept — so reading the journal in update-id order gives each chat's updates in order,
whichever process took them. A process hands out the updates of the chats it holds and claims
the chats nobody holds (`ChatLeases`). The handlers run concurrently as with polling (each
chat's turns keep their order in the engine); an update is marked done once its handler has
returned (its message is then in the inbox), so one whose process died before that is handed
out again by the chat's next holder, and the inbox's own key keeps its message from being taken
twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.ingress.chat_leases import ChatLeases
from storage import StorageUnavailable
from storage.coordination import UpdateJournal

logger = logging.getLogger(__name__)

Handle = Callable[[str], Awaitable[None]]  # an update's body: run its handlers


class Unfinished(Protocol):
    """Chats with unanswered messages (`unheld`: only those no process holds now)."""

    def __call__(self, *, unheld: bool = False) -> Awaitable[list[int]]: ...


IDLE_CHECK_SECONDS = 1.0


class JournalFeed:
    def __init__(
        self,
        journal: UpdateJournal,
        chats: ChatLeases,
        handle: Handle,
        unfinished: Unfinished,
        *,
        poll: float,
    ) -> None:
        self._journal = journal
        self._chats = chats
        self._handle = handle
        self._unfinished = unfinished  # chats whose inbox holds messages not yet answered
        self._poll = poll
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._per_chat: Counter[int] = Counter()  # updates being handled, per chat
        # Handled, to be marked so in the journal with the next sweep (one statement for many).
        self._handled: set[int] = set()

    def arrived(self) -> None:
        """An update was kept (by this process): look now rather than at the next poll."""
        self._wake.set()

    def handling(self, chat_id: int) -> bool:
        return self._per_chat[chat_id] > 0

    async def run(self) -> None:
        """Hand out kept updates until cancelled; the journal is read whenever an update
        arrives here, and every `poll` seconds for those other processes kept."""
        checked = glanced = 0.0
        while True:
            self._wake.clear()
            try:
                now = time.monotonic()
                if now - checked >= IDLE_CHECK_SECONDS or not checked:
                    checked = glanced = now
                    await self._chats.look_around()
                    await self._claim_unfinished()
                    await self._chats.hand_back_idle(self.handling)
                elif now - glanced >= self._poll:
                    glanced = now  # who is alive (a process that started shares the flood
                    # budget at once); with others, the chats one of them just handed back
                    if await self._chats.look_around():
                        await self._claim_unfinished(unheld=True)
                await self.sweep()
            except StorageUnavailable as exc:
                logger.debug("Could not read the journal: %s", exc)
            # Not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that comes as
            # the wake does (a handler ending as the process stops), and this loop then never
            # ended — the stop waited for it forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll):
                    await self._wake.wait()

    async def sweep(self) -> int:
        """Claim the chats of waiting updates nobody holds; start the handlers of the updates
        of this process's chats not yet handled or being handled; how many were started."""
        if self._handled:
            handled = sorted(self._handled)
            await self._journal.done_many(handled)
            self._handled.difference_update(handled)
        pending = await self._journal.pending()
        unclaimed = list(dict.fromkeys(c for _, c, _ in pending if not self._chats.owns(c)))
        if unclaimed:
            await self._chats.claim(unclaimed)
        started = 0
        for update_id, chat_id, body in pending:
            if update_id in self._running or update_id in self._handled:
                continue
            if not self._chats.owns(chat_id):
                continue
            self._chats.touch(chat_id)
            self._per_chat[chat_id] += 1
            task = asyncio.create_task(self._run(update_id, chat_id, body))
            self._running[update_id] = task
            started += 1
        return started

    async def _claim_unfinished(self, *, unheld: bool = False) -> None:
        """Chats with messages in the inbox and no holder — their process died or stopped
        while answering, with no new update to draw a process to them — are claimed too.

        Every poll, those whose lease is free (a process that stopped handed them over: taken
        within a poll); every `IDLE_CHECK_SECONDS`, all, for the holders known dead whose
        leases have not lapsed yet."""
        orphaned = [c for c in await self._unfinished(unheld=unheld) if not self._chats.owns(c)]
        if orphaned:
            await self._chats.claim(orphaned)

    async def _run(self, update_id: int, chat_id: int, body: str) -> None:
        try:
            await self._handle(body)
        except Exception:
            logger.exception("Update %d could not be handled", update_id)
        finally:
            # Marked done with the next sweep (a poison update too: it must not block its
            # chat); the feed wakes for it at once.
            self._handled.add(update_id)
            self._wake.set()
            self._running.pop(update_id, None)
            self._per_chat[chat_id] -= 1
            if self._per_chat[chat_id] <= 0:
                del self._per_chat[chat_id]

    async def finish(self, within: float) -> None:
        """Stopping: let the handlers running finish (their messages reach the inbox), and
        mark them handled."""
        tasks = list(self._running.values())
        if tasks:
            await asyncio.wait(tasks, timeout=within)
        if self._handled:
            with contextlib.suppress(StorageUnavailable):
                await self._journal.done_many(sorted(self._handled))
                self._handled.clear()
