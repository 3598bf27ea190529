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


async def test_no_action_while_the_bot_waits_for_the_user_then_on_again() -> None:
    sent: list[str] = []
    phase = "before"
    first, again = asyncio.Event(), asyncio.Event()

    async def send_typing(acknowledge: bool) -> bool:
        sent.append(phase)
        first.set()
        if phase == "after":
            again.set()
        return True

    async with TypingIndicator(send_typing, interval=0.01) as typing, asyncio.timeout(5):
        await first.wait()
        async with typing.paused():
            phase = "waiting"
            await asyncio.sleep(0.05)  # five intervals: nothing may be sent meanwhile
            phase = "after"
        await again.wait()

    assert "waiting" not in sent and sent[0] == "before" and sent[-1] == "after"
