"""Per-chat ordered work: one chat's jobs run one at a time, in order; chats never wait.

A worker task exists only while its chat has work, so idle chats cost nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from storage import ChatKey

logger = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[], Awaitable[None]]


class ChatQueues:
    def __init__(self) -> None:
        self._queues: dict[ChatKey, deque[Job]] = {}
        self._workers: dict[ChatKey, asyncio.Task[None]] = {}
        self._closing = False

    def submit(self, key: ChatKey, job: Job) -> None:
        """Queue `job` behind the chat's earlier jobs; returns at once."""
        self._queues.setdefault(key, deque()).append(job)
        if key not in self._workers and not self._closing:
            self._workers[key] = asyncio.create_task(self._drain(key), name=f"chat {key}")

    async def run(self, key: ChatKey, job: Callable[[], Awaitable[T]]) -> T:
        """Queue `job` and wait for its result (or exception)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()

        async def wrapped() -> None:
            try:
                result = await job()
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)

        self.submit(key, wrapped)
        return await future

    def busy(self, key: ChatKey) -> bool:
        return key in self._workers

    def busy_chat(self, chat_id: int) -> bool:
        """Whether any topic of the chat has work."""
        return any(key.chat_id == chat_id for key in self._workers)

    async def close(self, grace: float, cut_short: asyncio.Event | None = None) -> None:
        """Start no new job; give running ones `grace` seconds (or until `cut_short` is set),
        then cancel them."""
        self._closing = True
        workers = list(self._workers.values())
        if workers and grace > 0:
            finished = asyncio.ensure_future(asyncio.wait(workers))
            waits: set[asyncio.Future[Any]] = {finished}
            if cut_short is not None:
                waits.add(asyncio.ensure_future(cut_short.wait()))
            await asyncio.wait(waits, timeout=grace, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()  # the waiting, not the workers
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)

    async def _drain(self, key: ChatKey) -> None:
        queue = self._queues[key]
        try:
            while queue and not self._closing:
                job = queue.popleft()
                try:
                    await job()
                except Exception:
                    logger.exception("Unhandled error in a job for chat %s", key)
        finally:
            del self._queues[key]
            del self._workers[key]
