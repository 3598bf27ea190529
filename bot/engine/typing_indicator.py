"""Keep Telegram's "typing…" status alive while an answer is pending (each action lasts ~5 s)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType

logger = logging.getLogger(__name__)

RETRY_AFTER_SKIP = 0.3  # a skipped action (no budget just then) is tried again this soon


class TypingIndicator:
    """`async with` it: the typing action now and every `interval` seconds, until it ends.

    `stop()` ends it early (the answer's first words show activity instead); it waits for the
    loop to end, so no stray action can follow the reply.
    """

    def __init__(self, send_typing: Callable[[bool], Awaitable[bool]], interval: float) -> None:
        self._send_typing = send_typing
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> TypingIndicator:
        self._task = asyncio.create_task(self._refresh(), name="typing")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def now(self) -> None:
        """Show the action again at once (it changed): the refresh goes on from here."""
        if self._task is not None:
            await self.stop()
            self._task = asyncio.create_task(self._refresh(later=True), name="typing")

    @contextlib.asynccontextmanager
    async def paused(self) -> AsyncIterator[None]:
        """No action while the bot waits for the user (a Yes/No question), then on again."""
        running = self._task is not None
        await self.stop()
        try:
            yield
        finally:
            if running and self._task is None:
                self._task = asyncio.create_task(self._refresh(later=True), name="typing")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _refresh(self, *, later: bool = False) -> None:
        first = not later  # the first action acknowledges the message: first under pressure
        while True:
            sent = False
            try:
                sent = await self._send_typing(first)
            except Exception as exc:  # typing is decoration: never let it break a turn
                logger.debug("Typing action failed: %r", exc)
            if not sent:  # skipped for lack of budget: the last one fades in ~5 s, try again soon
                await asyncio.sleep(RETRY_AFTER_SKIP)
                continue
            first = False
            await asyncio.sleep(self._interval)
