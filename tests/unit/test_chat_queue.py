"""Per-chat ordering: one job at a time per chat, in order, chats independent, errors contained."""

from __future__ import annotations

import asyncio

import pytest

from bot.engine.chat_queue import ChatQueues
from storage import ChatKey


async def test_jobs_of_one_chat_run_in_order_one_at_a_time() -> None:
    queues = ChatQueues()
    log: list[str] = []
    running = 0

    def job(name: str) -> object:
        async def run() -> None:
            nonlocal running
            running += 1
            assert running == 1
            await asyncio.sleep(0)
            log.append(name)
            running -= 1

        return run

    for n in range(5):
        queues.submit(ChatKey(1), job(f"j{n}"))  # type: ignore[arg-type]
    await queues.run(ChatKey(1), lambda: asyncio.sleep(0))

    assert log == ["j0", "j1", "j2", "j3", "j4"]
    assert not queues.busy(ChatKey(1))


async def test_a_failing_job_does_not_stop_the_queue_and_run_returns_its_error() -> None:
    queues = ChatQueues()

    async def boom() -> None:
        raise ValueError("boom")

    queues.submit(ChatKey(1), boom)
    with pytest.raises(ValueError, match="boom"):
        await queues.run(ChatKey(1), boom)

    async def answer() -> int:
        return 42

    assert await queues.run(ChatKey(1), answer) == 42


async def test_a_busy_chat_does_not_block_another() -> None:
    queues = ChatQueues()
    gate = asyncio.Event()
    queues.submit(ChatKey(1), gate.wait)  # type: ignore[arg-type]

    async def other() -> str:
        return "done"

    assert await queues.run(ChatKey(2), other) == "done"
    assert queues.busy(ChatKey(1))
    gate.set()
    await queues.close(0)
