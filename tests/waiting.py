"""Waiting for state that no event announces: a row another process writes, a file it prints to.

Where the fakes see the change (a Telegram call, a model request) tests await their events;
this polls, every 20 ms, only what lives in a database or another process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def until(check: Callable[[], Awaitable[bool]], what: str, within: float = 10.0) -> None:
    """Return once `check()` is true; fail naming `what` after `within` seconds."""
    for _ in range(max(1, int(within / 0.02))):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting until {what}")
