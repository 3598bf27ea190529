"""Server-sent events for the fake OpenAI APIs: an append-only event log that streams can follow.

A response's events are kept, so a stream can be resumed after any event (`starting_after`), and
a stream can be dropped on purpose after a number of events to test resumption.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web


class EventLog:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.closed = False
        self._changed = asyncio.Condition()

    async def append(self, name: str, data: dict[str, Any]) -> None:
        self.events.append((name, data))
        async with self._changed:
            self._changed.notify_all()

    async def close(self) -> None:
        self.closed = True
        async with self._changed:
            self._changed.notify_all()

    def _has_news(self, index: int) -> Callable[[], bool]:
        return lambda: index < len(self.events) or self.closed

    async def follow(self, after: int = -1) -> AsyncIterator[tuple[int, str, dict[str, Any]]]:
        """Events with index > `after`, waiting for new ones until the log is closed."""
        index = after + 1
        while True:
            async with self._changed:
                await self._changed.wait_for(self._has_news(index))
            while index < len(self.events):
                name, data = self.events[index]
                yield index, name, data
                index += 1
            if self.closed:
                return


async def stream_events(
    request: web.Request,
    log: EventLog,
    *,
    after: int = -1,
    drop_after: int | None = None,
    done_marker: bool = False,
) -> web.StreamResponse:
    """Serve `log` as SSE; stop abruptly after `drop_after` events (a dropped connection)."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    sent = 0
    async for _index, name, data in log.follow(after):
        await response.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        sent += 1
        if drop_after is not None and sent >= drop_after:
            assert request.transport is not None
            request.transport.close()  # no terminal event, no clean end: a dropped stream
            return response
    if done_marker:
        await response.write(b"event: done\ndata: [DONE]\n\n")
    await response.write_eof()
    return response
