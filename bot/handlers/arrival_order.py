"""A chat's messages reach the engine in the order Telegram numbered them.

PTB handles updates concurrently, and before a message is accepted its handler waits on the
database (access, language, the inbox write). On one SQLite connection those waits ended in the
order they began; on a pool of PostgreSQL connections they need not, and "two" could be queued
before "one". So each message registers on arrival — before its handler's first await, which is
in update order — and is accepted only once every earlier message of its chat has been accepted
or turned away (Rasa's "ticket lock", with Telegram's message ids as the tickets).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager


class ArrivalOrder:
    def __init__(self) -> None:
        self._open: dict[int, dict[int, asyncio.Future[None]]] = {}

    @contextmanager
    def held(self, chat_id: int, message_id: int) -> Iterator[None]:
        """While the handler of this message runs (entered before its first await)."""
        done = asyncio.get_running_loop().create_future()
        self._open.setdefault(chat_id, {})[message_id] = done
        try:
            yield
        finally:
            waiting = self._open.get(chat_id, {})
            waiting.pop(message_id, None)
            if not waiting:
                self._open.pop(chat_id, None)
            done.set_result(None)

    async def turn(self, chat_id: int, message_id: int) -> None:
        """Wait until the chat's earlier messages have been dealt with."""
        earlier = [f for m, f in self._open.get(chat_id, {}).items() if m < message_id]
        if earlier:
            await asyncio.wait(earlier)
