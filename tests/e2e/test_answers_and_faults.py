"""What the user reads when things go wrong or odd: long answers, formatting fallbacks, every
way a turn can end, busy conversations, repeated updates, a locked database, any message."""

from __future__ import annotations

import asyncio
import io
import logging
import socket
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
import pytest

from bot.logging_setup import configure_logging
from bot.texts import ENGLISH
from storage import ChatKey, StorageUnavailable
from storage.database import Database
from tests.conftest import (
    TURN_PATHS,
    ConfigFactory,
    Person,
    StartBot,
    both_engines,
    responses_only,
    stored,
)
from tests.fakes.openai_server import FakeOpenAI, Reply, error_body
from tests.fakes.telegram_server import FakeTelegram, utf16_len
from tests.running_bot import RunningBot
from tests.unit.sqlite_access import sqlite_of


def long_answer(paragraphs: int = 45) -> str:
    return "\n\n".join(
        f"Paragraph {n}: " + " ".join(f"word{n}_{w}" for w in range(25)) for n in range(paragraphs)
    )


async def test_a_9000_character_answer_arrives_complete_in_parts(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    text = long_answer()
    assert len(text) > 9000
    openai_server.replies.append(Reply(text=text))
    alice.say("Tell me everything")

    await telegram.wait_until(lambda: len(telegram.sent_texts(alice.chat_id)) >= 3)

    parts = telegram.sent_texts(alice.chat_id)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == text
    calls = telegram.calls_to("sendMessage", alice.chat_id)
    assert "reply_parameters" in calls[0].params
    assert all("reply_parameters" not in c.params for c in calls[1:])


async def test_markdown_is_rendered_as_telegram_html(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(text="**Bold** and `x < y` & [link](https://example.com)"))
    alice.say("Format something")

    [text] = await alice.replies(1)

    call = telegram.calls_to("sendMessage", alice.chat_id)[0]
    assert call.params["parse_mode"] == "HTML"
    assert "<b>Bold</b>" in call.params["text"]
    assert text == "Bold and x < y & link"


async def test_refused_formatting_falls_back_to_plain_text(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(text="Use **bold** and _this_ <b>unclosed"))
    telegram.fail(
        "sendMessage",
        400,
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        when=lambda params: params.get("parse_mode") == "HTML",
    )
    alice.say("Format it")

    [text] = await alice.replies(1)

    call = telegram.calls_to("sendMessage", alice.chat_id)[0]
    assert "parse_mode" not in call.params
    assert text == "Use bold and this <b>unclosed"


@pytest.mark.parametrize("backend", ["responses", "assistants"], indirect=True)
async def test_a_failed_turn_gives_a_friendly_message(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(status="failed"))
    alice.say("Question")

    [text] = await alice.replies(1)

    assert "couldn't answer" in text
    assert "Traceback" not in text and "server_error" not in text


async def test_an_incomplete_answer_carries_a_note(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(text="The first half", status="incomplete"))
    alice.say("Question")

    [text] = await alice.replies(1)

    assert text.startswith("The first half")
    assert "cut short" in text and "length limit" in text


async def test_a_timed_out_answer_is_cancelled_and_the_user_told(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    await start_bot(make_config(response_timeout=0.6))
    openai_server.replies.append(Reply(delay=30))
    alice.say("Something slow")

    [text] = await alice.replies(1)

    assert "took too long" in text
    [turn] = openai_server.turns
    if turn.conversation is not None:  # server-side work is cancelled, not left running
        assert turn.status == "cancelled"


async def test_rate_limited_turn_is_retried_without_duplicating_it(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI, backend: str
) -> None:
    alice.say("Hello")
    await alice.replies(1)
    openai_server.fail(
        "POST",
        TURN_PATHS[backend],
        429,
        error_body("Rate limit reached for requests", type="requests", code="rate_limit_exceeded"),
        count=2,
    )
    alice.say("And again")

    answer = (await alice.replies(2, within=15))[1]

    first, second = openai_server.turns
    assert answer == second.text
    assert second.history == [first.input, first.text]


@pytest.mark.parametrize("backend", ["responses", "assistants"], indirect=True)
async def test_a_lost_conversation_is_recreated_once_and_the_user_told(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("First")
    await alice.replies(1)
    openai_server.forget_all_conversations()

    alice.say("Second")
    notice, answer = (await alice.replies(3))[1:]

    assert "started a new one" in notice
    assert "Second" in answer
    assert len(openai_server.remote_conversations) == 1


async def test_a_wrong_api_key_tells_the_user_and_logs_loudly(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await start_bot(make_config({"OPENAI_API_KEY": "sk-wrong"}))
    alice.say("Hello")

    [text] = await alice.replies(1)

    assert "misconfigured" in text
    assert any(
        r.levelno >= logging.ERROR and "misconfigured" in r.getMessage() for r in caplog.records
    )


async def test_an_unreachable_ai_service_gives_a_polite_message(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI, backend: str
) -> None:
    outage = error_body("Service unavailable", type="server_error")
    for path in (TURN_PATHS[backend], "/conversations"):
        openai_server.fail("POST", path, 503, outage, count=10)
    alice.say("Hello")

    [text] = await alice.replies(1, within=20)

    assert "not reachable" in text
    assert openai_server.turns == []


async def test_logs_never_contain_the_token_or_the_api_key(
    make_config: ConfigFactory,
    start_bot: StartBot,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    config = make_config({"OPENAI_API_KEY": openai_server.api_key})
    configure_logging("DEBUG", config.secrets, stream)
    try:
        await start_bot(config)
        alice.say("Hello")
        await alice.replies(1)
        openai_server.fail(
            "POST", TURN_PATHS[config.backend], 500, error_body("boom", type="server_error")
        )
        alice.say("Again")
        await alice.replies(2, within=20)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)

    output = stream.getvalue()
    assert "Telethread started" in output
    assert f"chat {alice.chat_id}" in output
    assert telegram.token not in output
    assert openai_server.api_key not in output


# -- faults and odd input ------------------------------------------------------------------


@responses_only
async def test_a_busy_conversation_is_waited_for_not_duplicated(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("Hello")
    await alice.replies(1)
    conversation = openai_server.turns[0].conversation
    openai_server.replies.append(Reply(delay=1.0))  # another process, busy for a second
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {openai_server.api_key}"}
    ) as session:
        await session.post(
            f"{openai_server.base_url}/responses",
            json={"model": "m", "conversation": conversation, "input": "x", "background": True},
        )

    alice.say("Are you free now?")
    answer = (await alice.replies(2, within=20))[1]

    assert openai_server.responses_api.locked_rejections >= 1
    assert answer == openai_server.turns[-1].text
    assert [t.input for t in openai_server.turns].count("Are you free now?") == 1


@both_engines
async def test_an_update_delivered_twice_is_answered_once(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    message = alice.say("Only once, please")
    telegram.push_update({"message": message})  # Telegram redelivers after a restart
    alice.say("Next")

    await alice.replies(2)

    assert [t.input for t in openai_server.turns] == ["Only once, please", "Next"]


async def test_a_locked_database_refuses_politely(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with Database(path) as store:
        await sqlite_of(store).execute("PRAGMA busy_timeout=50")
        async with aiosqlite.connect(path) as other:
            await other.execute("BEGIN EXCLUSIVE")
            with pytest.raises(StorageUnavailable, match="locked"):
                await store.inbox.add(ChatKey(1), message_id=1, private=True, text="hi")
            await other.rollback()
        assert await store.inbox.add(ChatKey(1), message_id=1, private=True, text="hi")


STICKER = {
    "sticker": {
        "file_id": "CAAC",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
POLL = {
    "poll": {
        "id": "1",
        "question": "Lunch?",
        "options": [
            {"text": "Yes", "voter_count": 0, "persistent_id": "o1"},
            {"text": "No", "voter_count": 0, "persistent_id": "o2"},
        ],
        "allows_revoting": False,
        "members_only": False,
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    }
}
LOCATION = {"location": {"latitude": 48.85, "longitude": 2.35}}
CONTACT = {"contact": {"phone_number": "+100", "first_name": "Bob"}}
VOICE = {"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3}}
DICE = {"dice": {"emoji": "🎲", "value": 4}}

TEXTS = [
    "x" * 4096,
    "مرحبا بالعالم، كيف حالك؟",
    "👩‍👩‍👧‍👦🎉 emoji family",
    "zero\u200bwidth\u200djoiners",
    "combining e\u0301 and a\u0308",
    "<b>not bold</b> & <script>alert(1)</script>",
    "**bold** _it_ `code` [link](http://x) ~~no~~ ```",
]


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
@pytest.mark.parametrize("text", TEXTS, ids=[f"text{n}" for n in range(len(TEXTS))])
async def test_any_text_is_answered_and_round_trips_to_the_model(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI, text: str
) -> None:
    alice.say(text)

    replies = await alice.replies(1)

    assert openai_server.turns[0].input == text
    assert replies


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
@pytest.mark.parametrize(
    "content", [STICKER, POLL, LOCATION, CONTACT, DICE], ids=lambda c: next(iter(c))
)
async def test_non_text_messages_get_a_polite_reply_and_never_reach_the_model(
    bot: RunningBot,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    content: dict[str, Any],
) -> None:
    telegram.push_message(alice.chat, alice.user, **content)

    [reply] = await alice.replies(1)

    assert "can't read that kind of message" in reply
    assert openai_server.turns == []


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_an_unknown_command_in_private_points_to_help(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("/weather tomorrow")

    [reply] = await alice.replies(1)

    assert "/help" in reply
    assert openai_server.turns == []


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_a_bare_mention_in_a_group_gets_a_question_back(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    group = telegram.group_chat(-100777, "Team")
    telegram.push_message(group, telegram.user(77, "Carol"), "@telethread_test_bot")

    [reply] = await telegram.wait_for_messages(-100777, 1)

    assert "What would you like" in reply
    assert openai_server.turns == []


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_errors_are_reported_to_the_owner_never_as_tracebacks_to_users(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    telegram: FakeTelegram,
) -> None:
    await start_bot(make_config({"ERROR_CHAT_ID": str(bob.chat_id)}))
    telegram.fail(
        "sendMessage",
        400,
        "Bad Request: message thread not found",
        when=lambda params: params.get("chat_id") == alice.chat_id,
    )
    alice.say("/help")

    [report] = await bob.replies(1)

    assert "BadRequest" in report and "message thread not found" in report.lower()
    assert "Traceback" not in report
    assert telegram.token not in report
    user_texts = telegram.sent_texts(alice.chat_id)
    assert all("Traceback" not in t and "BadRequest" not in t for t in user_texts)


@responses_only
async def test_the_bot_starts_without_the_model_server_and_says_it_is_unreachable(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    await start_bot(make_config({"OPENAI_BASE_URL": closed}))

    alice.say("Hello?")

    [reply] = await alice.replies(1, within=30)
    assert reply == ENGLISH.backend_unavailable


@responses_only
async def test_many_chats_answered_at_the_same_moment_each_get_their_answer_once(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    ready = asyncio.Event()
    openai_server.model.default_reply = lambda: Reply(hold=ready)
    people = [telegram.user(900 + n, f"User{n}") for n in range(12)]
    for user in people:
        telegram.push_message(telegram.private_chat(user), user, f"hello from {user['id']}")
    await telegram.wait_until(lambda: len(openai_server.model.turns) == len(people))

    ready.set()  # every answer is finished, delivered and cleared at once
    await telegram.wait_until(lambda: len(telegram.calls_to("sendMessage")) >= len(people))
    await bot.stop()  # lets whatever follows the answers finish

    for user in people:
        [answer] = telegram.sent_texts(user["id"])  # and no apology after it
        assert answer.endswith(f"to: hello from {user['id']}")
    async with stored(bot.config) as store:
        assert await store.inbox.pending() == []
