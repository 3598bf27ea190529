"""The owner hears a notice once, however many processes of the bot noticed it."""

from __future__ import annotations

import asyncio

from bot.owner_notices import NOTICE_SPAN_SECONDS, once_per_bot
from storage.database import Database


async def test_a_notice_two_processes_give_at_once_reaches_the_owner_once(store: Database) -> None:
    heard: list[str] = []

    async def send(text: str) -> None:
        heard.append(text)

    now = [1_000_000.0]
    first, second = (once_per_bot(send, store.settings.first_time, lambda: now[0]) for _ in "ab")
    line = "BUDGET_TOTAL's daily budget ($1.00) is used up"
    await asyncio.gather(first(line), second(line))
    assert heard == [line]

    await second("another notice")  # a different notice is not held back
    now[0] += NOTICE_SPAN_SECONDS  # nor the same one, later
    await first(line)
    assert heard == [line, "another notice", line]
