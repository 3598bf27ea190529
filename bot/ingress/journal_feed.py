"""The answering process's side of the journal: each kept update to the handlers, once, in
the order Telegram numbered them.

Telegram posts a chat's updates one at a time, each after the previous one was acknowledged —
that is, kept — so reading the journal in update-id order gives each chat's updates in order,
whichever process took them. The handlers run concurrently as with polling (each chat's turns
keep their order in the engine); an update is marked done once its handler has returned (its
message is then in the inbox), so one whose process died before that is handed out again by the
next process that answers, and the inbox's own key keeps its message from being taken twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from storage import StorageUnavailable
from storage.repositories import UpdateJournal

logger = logging.getLogger(__name__)

Handle = Callable[[int, str], Awaitable[None]]  # (update id, body): run its handlers


class JournalFeed:
    def __init__(self, journal: UpdateJournal, handle: Handle, *, poll: float) -> None:
        self._journal = journal
        self._handle = handle
        self._poll = poll
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}

    def arrived(self) -> None:
        """An update was kept (by this process): look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Hand out kept updates until cancelled; the journal is read whenever an update
        arrives here, and every `poll` seconds for those other processes kept."""
        while True:
            self._wake.clear()
            try:
                await self.sweep()
            except StorageUnavailable as exc:
                logger.debug("Could not read the journal: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)

    async def sweep(self) -> int:
        """Start the handlers of the updates not yet handled or being handled; how many."""
        started = 0
        for update_id, body in await self._journal.pending():
            if update_id in self._running:
                continue
            task = asyncio.create_task(self._run(update_id, body))
            self._running[update_id] = task
            started += 1
        return started

    async def _run(self, update_id: int, body: str) -> None:
        try:
            await self._handle(update_id, body)
            await self._journal.done(update_id)
        except StorageUnavailable as exc:
            logger.warning(
                "Could not mark update %d handled (it may be read again): %s", update_id, exc
            )
        except Exception:
            logger.exception("Update %d could not be handled", update_id)
            await self._journal.done(update_id)  # a poison update must not block the others
        finally:
            self._running.pop(update_id, None)

    async def finish(self, within: float) -> None:
        """Stopping: let the handlers running finish (their messages reach the inbox)."""
        tasks = list(self._running.values())
        if tasks:
            await asyncio.wait(tasks, timeout=within)
