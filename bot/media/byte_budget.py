"""A bound on the bytes of files in flight, across all chats."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class ByteBudget:
    """At most `capacity` bytes of files in flight; a bigger turn waits to run alone. Twenty
    chats sending 20 MB at once would otherwise hold some 2 GB."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._used = 0
        self._changed = asyncio.Condition()

    @contextlib.asynccontextmanager
    async def hold(self, size: int) -> AsyncIterator[None]:
        if size <= 0:
            yield
            return
        async with self._changed:
            await self._changed.wait_for(
                lambda: self._used == 0 or self._used + size <= self._capacity
            )
            self._used += size
        try:
            yield
        finally:
            async with self._changed:
                self._used -= size
                self._changed.notify_all()
