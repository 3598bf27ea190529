"""The typing indicator: a skipped action is retried well before the last one fades."""

from __future__ import annotations

import asyncio
import time

from bot.engine.typing_indicator import RETRY_AFTER_SKIP, TypingIndicator


async def test_a_skipped_refresh_is_retried_soon_not_an_interval_later() -> None:
    outcomes = [True, False, True]  # the acknowledgement, a refresh without budget, its retry
    calls: list[tuple[bool, float]] = []
    retried = asyncio.Event()

    async def send_typing(acknowledge: bool) -> bool:
        calls.append((acknowledge, time.monotonic()))
        if len(calls) == len(outcomes):
            retried.set()
        return outcomes[min(len(calls), len(outcomes)) - 1]

    async with TypingIndicator(send_typing, interval=0.5), asyncio.timeout(5):
        await retried.wait()

    assert [acknowledge for acknowledge, _ in calls[:3]] == [True, False, False]
    skipped_at, retried_at = calls[1][1], calls[2][1]
    assert RETRY_AFTER_SKIP - 0.05 <= retried_at - skipped_at < 0.5
