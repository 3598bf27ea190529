"""What each backend does that the others do not, and switching backends on one database."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.backends.chat_api.history_budget import estimate_tokens, fit_history, prompt_budget
from bot.backends.responses_api.server_events import decode
from storage import ChatKey, HistoryMessage
from tests.conftest import ConfigFactory, Person, StartBot, responses_only
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot

assistants_only = pytest.mark.parametrize("backend", ["assistants"], indirect=True)
chat_only = pytest.mark.parametrize("backend", ["chat"], indirect=True)


# -- Responses + Conversations ----------------------------------------------------------------


@responses_only
async def test_responses_turn_is_a_background_response_on_the_conversation(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("Hi")
    await alice.replies(1)

    [turn] = openai_server.turns
    request = turn.request
    assert request["conversation"] == turn.conversation
    assert request["background"] is True
    assert request["store"] is True
    assert request["truncation"] == "auto"
    assert request["reasoning"] == {"effort": "low"}
    assert request["model"] == "gpt-test"
    assert request["input"] == "Hi"


@responses_only
@pytest.mark.parametrize("reply_mode", ["poll"], indirect=True)
async def test_a_polled_answer_takes_one_call_and_arrives_whole(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(text="one two three four five six seven", chunks=7))
    alice.say("Hi")
    [answer] = await alice.replies(1)
    calls = len(openai_server.requests)
    alice.say("Again")
    await alice.replies(2)

    second = openai_server.requests[calls:]
    assert [(method, path) for method, path, _ in second] == [("POST", "/responses")]
    assert second[0][2]["background"] is True  # resumable by its id after a restart
    assert answer == "one two three four five six seven"
    assert telegram.calls_to("sendMessageDraft") == []  # typing, then the whole answer
    assert telegram.calls_to("editMessageText") == []


@responses_only
@pytest.mark.parametrize("reply_mode", ["poll"], indirect=True)
async def test_a_server_that_cannot_stream_responses_is_polled(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    openai_server.responses_api.streaming_supported = False
    alice.say("Hi")
    alice.say("Again")

    replies = await alice.replies(2)

    assert replies == ["Answer #0 to: Hi", "Answer #1 to: Again"]
    created = openai_server.requests_to("POST", "/responses")
    assert [bool(r.get("stream")) for r in created] == [True, False, False]
    assert openai_server.requests_to("GET", "/responses/")  # polled to the end


# -- legacy threads/runs ------------------------------------------------------------------------


@assistants_only
async def test_the_assistant_is_created_once_and_reused_after_a_restart(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    config = make_config()
    first = await start_bot(config)
    alice.say("Hi")
    await alice.replies(1)
    await first.stop()
    await start_bot(config)
    alice.say("Again")
    await alice.replies(2)

    assert len(openai_server.assistants_api.assistants) == 1
    [assistant] = openai_server.assistants_api.assistants
    assert {t.request["assistant_id"] for t in openai_server.turns} == {assistant}


@assistants_only
async def test_a_configured_assistant_id_is_used_as_given(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    openai_server.assistants_api.assistants["asst_owner"] = {
        "id": "asst_owner",
        "object": "assistant",
    }
    await start_bot(make_config({"ASSISTANT_ID": "asst_owner"}))
    alice.say("Hi")
    await alice.replies(1)

    assert list(openai_server.assistants_api.assistants) == ["asst_owner"]
    assert openai_server.turns[0].request["assistant_id"] == "asst_owner"


@assistants_only
async def test_an_unknown_assistant_id_is_reported_as_misconfiguration(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person
) -> None:
    await start_bot(make_config({"ASSISTANT_ID": "asst_missing"}))
    alice.say("Hi")

    [text] = await alice.replies(1)

    assert "misconfigured" in text


@assistants_only
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("requires_action", "tool this bot does not provide"),
        ("expired", "couldn't answer"),
        ("failed", "couldn't answer"),
        ("cancelled", "cancelled"),
    ],
)
async def test_each_run_ending_gets_a_clear_message(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI, status: str, expected: str
) -> None:
    openai_server.replies.append(Reply(status=status))
    alice.say("Look up my order")

    [text] = await alice.replies(1)

    assert expected in text
    [turn] = openai_server.turns
    assert turn.status in ("cancelled", status)  # requires_action is cancelled, never left hanging
    assert openai_server.assistants_api.threads[turn.conversation or ""].active_run is None


@assistants_only
async def test_a_stale_active_run_is_cancelled_and_awaited_before_writing(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("Hello")
    await alice.replies(1)
    thread = openai_server.turns[0].conversation
    assistant = openai_server.turns[0].request["assistant_id"]
    openai_server.replies.append(Reply(hold=asyncio.Event()))  # a run left behind by a crash
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {openai_server.api_key}"}
    ) as session:
        await session.post(
            f"{openai_server.base_url}/threads/{thread}/runs", json={"assistant_id": assistant}
        )

    alice.say("Are you there?")
    answer = (await alice.replies(2))[1]

    stale, fresh = openai_server.turns[1:]
    assert stale.status == "cancelled"
    assert fresh.input == "Are you there?"
    assert answer == fresh.text
    assert openai_server.assistants_api.active_run_rejections >= 1


# -- Chat Completions with local history ------------------------------------------------------


@chat_only
async def test_history_is_trimmed_to_the_newest_turns_and_keeps_the_persona(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    # Without compaction, the newest turns that fit the window are all that is sent.
    running = await start_bot(
        make_config({"CONTEXT_TOKENS": "1200", "CONTEXT_BUDGET_TOKENS": "off"})
    )
    padding = "x" * 300
    for n in range(6):
        alice.say(f"Message {n} {padding}")
        await alice.replies(n + 1)

    turns = openai_server.turns
    full = [text for t in turns[:-1] for text in (t.input, t.text)]
    last = turns[-1]
    assert last.instructions.startswith(running.services.personas.default.instructions)
    assert 0 < len(last.history) < len(full)
    assert last.history == full[-len(last.history) :]
    assert last.history[0].startswith("Message")
    budget = prompt_budget(1200, None)
    used = sum(estimate_tokens(t) for t in [last.instructions, *last.history, last.input])
    assert used <= budget


@chat_only
async def test_a_server_without_usage_still_answers(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    openai_server.chat_api.send_usage = False
    message = alice.say("Hi")

    [answer] = await alice.replies(1)

    assert answer == openai_server.turns[0].text
    row = await bot.services.store.ledger.row(alice.chat_id, message["message_id"])
    assert row is not None and (row.state, row.source) == ("settled", "estimated")
    assert row.usage.output_tokens >= len(answer.encode()) // 3


@chat_only
async def test_chat_reset_deletes_the_local_history(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    store = bot.services.store
    alice.say("Hi")
    await alice.replies(1)
    before = await store.chats.get(ChatKey(alice.chat_id))
    assert before is not None and before.conversation_id is not None
    old = before.conversation_id
    assert len(await store.history.of(old)) == 2

    alice.say("/reset")
    await alice.replies(2)

    assert await store.history.of(old) == []
    after = await store.chats.get(ChatKey(alice.chat_id))
    assert after is not None
    new = after.conversation_id
    assert new != old


@chat_only
async def test_chat_requests_use_a_system_message_and_the_configured_model(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("Hi")
    await alice.replies(1)

    request = openai_server.turns[0].request
    assert request["model"] == "gpt-test"
    assert request["messages"][0]["role"] == "system"
    assert request["messages"][-1] == {"role": "user", "content": "Hi"}
    assert "reasoning_effort" not in request


# -- switching backends -----------------------------------------------------------------------


@responses_only
async def test_switching_backend_starts_fresh_without_deleting_anything_remote(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    first = await start_bot(make_config())
    alice.say("Hello on responses")
    await alice.replies(1)
    await first.stop()

    second = await start_bot(make_config({"BOT_BACKEND": "chat"}))
    alice.say("Hello on chat")
    await alice.replies(2)

    assert openai_server.deleted == []
    assert openai_server.turns[1].api == "chat"
    assert openai_server.turns[1].history == []
    record = await second.services.store.chats.get(ChatKey(alice.chat_id))
    assert record is not None and record.backend == "chat"


# -- the budget arithmetic --------------------------------------------------------------------


def test_fit_history_drops_oldest_exchanges_first_and_never_starts_mid_exchange() -> None:
    history = [
        HistoryMessage(role, f"{role} {n} " + "y" * 90)
        for n in range(5)
        for role in ("user", "assistant")
    ]
    cost = estimate_tokens(history[0].content)

    kept = fit_history(
        "sys", history, "new", estimate_tokens("sys") + estimate_tokens("new") + 3 * cost
    )

    assert kept == history[-2:]


def test_the_system_and_new_message_are_kept_even_over_budget() -> None:
    assert fit_history("s" * 3000, [HistoryMessage("user", "a")], "b", budget=10) == []


def test_estimates_are_safe_for_english_and_cjk() -> None:
    english = "The quick brown fox jumps over the lazy dog. " * 20  # ~200 real tokens
    cjk = "你好世界" * 50  # ~200 real tokens
    assert estimate_tokens(english) >= 200
    assert estimate_tokens(cjk) >= 200


def test_an_unreadable_server_event_is_skipped_not_fatal() -> None:
    assert decode('{"type": "response.output_text.delta", "delta": "Hi"}')["delta"] == "Hi"
    assert decode("{not json")["type"] == "unreadable"
    assert decode("[1, 2]")["type"] == "unreadable"
