"""A stop that cuts answers short waits for one being sent: `answering.to_the_end`."""

from __future__ import annotations

import asyncio

import pytest

from bot.engine.answering import FINISH_SENDING_SECONDS, to_the_end
from tests.unit.virtual_clock import now, run


async def test_an_answer_being_sent_is_sent_whole_before_the_cancellation_passes_on() -> None:
    steps: list[str] = []
    sending = asyncio.Event()
    telegram_answers = asyncio.Event()

    async def hand_out() -> None:
        steps.append("noted answered")
        sending.set()
        await telegram_answers.wait()  # the message is on its way to Telegram
        steps.append("sent")
        steps.append("forgotten")

    turn = asyncio.create_task(to_the_end(hand_out()))
    await sending.wait()
    turn.cancel()  # the process hands its chats over
    await asyncio.sleep(0)
    assert not turn.done()  # still sending
    turn.cancel()  # a second stop does not cut it either
    telegram_answers.set()
    with pytest.raises(asyncio.CancelledError):
        await turn
    assert steps == ["noted answered", "sent", "forgotten"]


def test_an_answer_that_cannot_be_sent_does_not_hold_the_stop_up() -> None:
    async def scenario() -> float:
        never = asyncio.Event()

        async def hand_out() -> None:
            await never.wait()  # Telegram is down: the answer waits for it

        turn = asyncio.create_task(to_the_end(hand_out()))
        await asyncio.sleep(0)
        cut_at = now()
        turn.cancel()
        with pytest.raises(asyncio.CancelledError):
            await turn
        return now() - cut_at

    # Cut once FINISH_SENDING_SECONDS have passed: the inbox keeps it for the next start.
    assert run(scenario()) == FINISH_SENDING_SECONDS
