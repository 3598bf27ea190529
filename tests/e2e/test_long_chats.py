"""A long chat's bill: every request keeps the cache's key and the same start, and past the
budget the conversation is compacted instead of re-sent whole — and still remembers."""

from __future__ import annotations

import logging
import re

import pytest

from bot.backends.openai_calls import cache_key
from storage import ChatKey
from tests.conftest import ConfigFactory, Person, StartBot, both_engines, responses_only
from tests.fakes.openai_model import Reply, Turn, error_body
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram

# The whole module on both database engines: what it stores, PostgreSQL keeps alike.
pytestmark = both_engines

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


chat_only = pytest.mark.parametrize("backend", ["chat"], indirect=True)


def is_summary_request(turn: Turn) -> bool:
    return "summarise the conversation" in turn.instructions.lower()


@chat_only
async def test_a_local_conversation_is_summarised_by_the_model_and_still_remembers(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    bot = await start_bot(make_config({"CONTEXT_BUDGET_TOKENS": "2000", "OPENAI_MODEL": LUNA}))

    sent = await chat(alice, 12)

    turns = openai_server.turns
    passes = [n for n, t in enumerate(turns) if is_summary_request(t)]
    assert passes
    first = turns[passes[0]]
    assert first.input.startswith(f"User: {FACT}")  # the oldest turns, word for word
    assert first.input.count("\nUser: ") >= 3  # at least four exchanges folded at once
    answers_between = [n for n in range(passes[0], passes[-1]) if n not in passes]
    assert len(answers_between) >= 4 * (len(passes) - 1)  # passes are turns apart
    for turn in turns[passes[0] + 1 :]:
        if is_summary_request(turn):
            continue
        # The summary travels in the system message, after the persona; the fact is in it.
        assert turn.instructions.startswith(bot.services.personas.default.instructions)
        assert FACT.rstrip(".") in turn.instructions
        assert not any(h.startswith(FACT) for h in turn.history)
    rows = [await bot.services.store.ledger.row(alice.chat_id, m) for m in sent]
    compacting = [r for r in rows if r is not None and r.tools.compactions]
    assert len(compacting) == len(passes)
    # A pass is priced in the row of the answer it preceded: both calls' tokens.
    answered_after = turns[passes[0] + 1]
    assert compacting[0].usage.input_tokens == first.billed.input + answered_after.billed.input
    assert compacting[0].cost_micros > 0


@chat_only
async def test_a_failed_summary_leaves_the_conversation_answering_as_before(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    bot = await start_bot(make_config({"CONTEXT_BUDGET_TOKENS": "2000"}))
    await chat(alice, 5)  # the next message takes it past the budget
    assert not any(is_summary_request(t) for t in openai_server.turns)
    failing = error_body("The server had an error.", type="server_error")
    openai_server.fail("POST", "/chat/completions", 500, failing, count=3)  # with SDK retries

    alice.say(f"Message 5.{FILLER}")
    replies = await alice.replies(6)

    assert replies[-1].startswith("Answer #")
    failures = [r.getMessage() for r in caplog.records if "was not compacted" in r.getMessage()]
    assert len(failures) == 1
    answered = openai_server.turns[-1]
    assert not is_summary_request(answered) and "summary" not in answered.instructions
    conversation = await bot.services.store.chats.get(ChatKey(alice.chat_id))
    assert conversation is not None and conversation.conversation_id is not None
    stored = await bot.services.store.history.of(conversation.conversation_id)
    assert [m.role for m in stored].count("summary") == 0 and len(stored) == 12
    # The next message tries again, and this time the pass goes through.
    alice.say(f"Message 6.{FILLER}")
    await alice.replies(7)
    assert is_summary_request(openai_server.turns[-2])
    stored = await bot.services.store.history.of(conversation.conversation_id)
    assert stored[0].role == "summary" and FACT.rstrip(".") in stored[0].content


@chat_only
async def test_chat_requests_carry_the_conversations_cache_key_too(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    openai_server: FakeOpenAI,
) -> None:
    bot = await start_bot(make_config())
    alice.say("hello")
    await alice.replies(1)
    alice.say("again")
    await alice.replies(2)
    bob.say("hi")
    await bob.replies(1)

    requests = openai_server.requests_to("POST", "/chat/completions")
    alices = await bot.services.store.chats.get(ChatKey(alice.chat_id))
    assert alices is not None and alices.conversation_id is not None
    keys = [r["prompt_cache_key"] for r in requests]
    assert keys[0] == keys[1] == cache_key(alices.conversation_id) != keys[2]
    assert all(r["prompt_cache_options"] == {"ttl": "12h"} for r in requests)
    assert requests[0]["messages"][0] == requests[1]["messages"][0]  # the same start


@chat_only
@pytest.mark.parametrize("reply_mode", ["stream", "poll"], indirect=True)
async def test_a_local_server_that_refuses_the_cache_key_is_asked_without_it(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
) -> None:
    await start_bot(make_config())
    openai_server.fail(
        "POST", "/chat/completions", 400,
        error_body("Unrecognized request argument supplied: prompt_cache_key",
                   param="prompt_cache_key"),
    )  # fmt: skip
    alice.say("hello")

    [reply] = await alice.replies(1)

    assert reply == "Answer #0 to: hello"
    answered = openai_server.requests_to("POST", "/chat/completions")[-1]
    assert "prompt_cache_key" not in answered and "prompt_cache_options" in answered


@pytest.mark.parametrize("backend", ["assistants"], indirect=True)
async def test_a_long_thread_is_read_within_the_budget_keeping_its_first_messages(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    await start_bot(make_config({"CONTEXT_BUDGET_TOKENS": "1500"}))

    await chat(alice, 8)

    runs = openai_server.requests_to("POST", "/threads/")
    runs = [r for r in runs if "assistant_id" in r]
    assert all(r["truncation_strategy"] == {"type": "auto"} for r in runs)
    assert all(r["max_prompt_tokens"] == 1500 for r in runs)
    last = openai_server.turns[-1]
    assert last.billed.input <= 1500  # the thread's middle was left out
    assert last.history[0].startswith(FACT)  # its first message stayed
    assert len(last.history) < 2 * 7


@responses_only
async def test_the_owners_report_says_how_often_long_chats_were_compacted_and_what_it_saved(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person
) -> None:
    owner = str(alice.user["id"])
    env = {"CONTEXT_BUDGET_TOKENS": "1000", "OPENAI_MODEL": LUNA, "ADMIN_USERS": owner}
    await start_bot(make_config(env))
    await chat(alice, 6)

    alice.say("/usage all")
    report = (await alice.replies(7))[-1]

    [line] = [x for x in report.splitlines() if x.startswith("long chats this month:")]
    found = re.fullmatch(
        r"long chats this month: (\d+) compactions, about ([\d,]+) input tokens not re-read"
        r" \(~\$[\d.]+ saved, estimated\)",
        line,
    )
    assert found is not None
    assert int(found[1]) >= 1 and int(found[2].replace(",", "")) > 0


@chat_only
async def test_a_summary_that_takes_too_long_is_given_up_and_the_answer_still_comes(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    config = make_config({"CONTEXT_BUDGET_TOKENS": "2000"}, response_timeout=2.0)
    await start_bot(config)
    await chat(alice, 5)  # the next message takes it past the budget
    openai_server.replies.append(Reply(delay=5.0))  # the summary: longer than the turn's time

    alice.say(f"Message 5.{FILLER}")
    replies = await alice.replies(6, within=15)

    assert replies[-1].startswith("Answer #")
    assert is_summary_request(openai_server.turns[-2])
    failures = [r.getMessage() for r in caplog.records if "was not compacted" in r.getMessage()]
    assert len(failures) == 1
