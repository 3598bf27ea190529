"""Keep Telegram's "typing…" status alive while an answer is pending (each action lasts ~5 s)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

logger = logging.getLogger(__name__)

TYPING_INTERVAL = 4.0


@contextlib.asynccontextmanager
async def keep_typing(
    send_typing: Callable[[], Awaitable[None]], interval: float = TYPING_INTERVAL
) -> AsyncIterator[None]:
    """Send the typing action now and every `interval` seconds until the block exits.

    The loop is stopped (and awaited) on every exit path, so no stray action can follow the reply.
    """

    async def refresh() -> None:
        while True:
            try:
                await send_typing()
            except Exception as exc:  # typing is decoration: never let it break a turn
                logger.debug("Typing action failed: %r", exc)
            await asyncio.sleep(interval)

    task = asyncio.create_task(refresh(), name="typing")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
