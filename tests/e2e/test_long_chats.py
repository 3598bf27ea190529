"""A long chat's bill: every request keeps the cache's key and the same start, and past the
budget the conversation is compacted instead of re-sent whole — and still remembers."""

from __future__ import annotations

import logging

import pytest

from bot.backends.openai_calls import cache_key
from storage import ChatKey
from tests.conftest import ConfigFactory, Person, StartBot, responses_only
from tests.fakes.openai_model import error_body
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram

LUNA = "gpt-6-luna"  # priced in the bundled table
FACT = "My dog is called Pixel."
FILLER = " And then the day went on like any other day." * 15  # ~170 tokens a message


async def chat(person: Person, count: int, first: str = FACT) -> list[int]:
    """`count` messages, each answered before the next (the fake echoes each one back); their
    message ids."""
    sent = []
    for n in range(count):
        message = person.say(f"{first if n == 0 else f'Message {n}.'}{FILLER}")
        sent.append(int(message["message_id"]))
        await person.replies(n + 1)
    return sent


@responses_only
async def test_every_request_carries_the_chats_cache_key_and_the_same_start(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    bot = await start_bot(make_config())
    alice.say("hello")
    await alice.replies(1)
    document = telegram.document(b"eggs,3\nflour,200\n", "shopping.txt", "text/plain")
    telegram.push_message(alice.chat, alice.user, document=document, caption="read this")
    await alice.replies(2)
    bob.say("hi")
    await bob.replies(1)

    requests = openai_server.requests_to("POST", "/responses")
    alices = await bot.services.store.chats.get(ChatKey(alice.chat_id))
    assert alices is not None and alices.conversation_id is not None
    keys = [r["prompt_cache_key"] for r in requests]
    assert keys[0] == keys[1] != keys[2]
    assert keys[0] == cache_key(alices.conversation_id)
    assert len(keys[0]) <= 64  # the API's limit
    assert all(r["prompt_cache_options"] == {"ttl": "12h"} for r in requests)
    # The file's turn starts like the others: its warning is in every turn's instructions.
    assert requests[0]["instructions"] == requests[1]["instructions"]
    assert all(
        r["context_management"] == [{"type": "compaction", "compact_threshold": 8000}]
        for r in requests
    )


@responses_only
async def test_past_the_budget_the_conversation_is_compacted_and_still_remembers(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    bot = await start_bot(make_config({"CONTEXT_BUDGET_TOKENS": "1000", "OPENAI_MODEL": LUNA}))

    sent = await chat(alice, 6)

    rows = [await bot.services.store.ledger.row(alice.chat_id, m) for m in sent]
    passes = [n for n, row in enumerate(rows) if row is not None and row.tools.compactions]
    assert passes and passes[0] >= 2  # once the conversation had grown past 1,000 tokens
    after = openai_server.turns[passes[0] + 1 :]
    assert after  # answered as before
    for turn in after:
        # The model reads the summary and what came since, not the whole conversation; the
        # fact from the first message is in what it reads.
        assert FACT.rstrip(".") in turn.history[0]
        assert len(turn.history) < 2 * turn.sequence  # whole, it would be two items a turn
    # The pass is billed in the answer that made it, inside the budgets' ledger.
    compacting = rows[passes[0]]
    assert compacting is not None and compacting.cost_micros > 0
    assert compacting.usage.input_tokens == openai_server.turns[passes[0]].billed.input


@responses_only
async def test_a_server_that_refuses_the_caching_parameters_is_asked_without_them(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    await start_bot(make_config())
    for param in ("prompt_cache_options", "context_management"):
        openai_server.fail(
            "POST", "/responses", 400,
            error_body(f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter"),
        )  # fmt: skip
    alice.say("one")
    alice.say("two")

    replies = await alice.replies(2)

    assert replies == ["Answer #0 to: one", "Answer #1 to: two"]
    answered = openai_server.requests_to("POST", "/responses")[-2:]
    assert all("prompt_cache_options" not in r and "context_management" not in r for r in answered)
    assert all("prompt_cache_key" in r for r in answered)
    refusals = [r.getMessage() for r in caplog.records if "does not take" in r.getMessage()]
    assert len(refusals) == 2
