"""Faults and odd input: busy conversations, repeated updates, a locked database, any message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
import pytest

from storage import ChatKey, ConversationStore, StorageUnavailable
from tests.conftest import ConfigFactory, Person, RunningBot, StartBot
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram

responses_only = pytest.mark.parametrize("backend", ["responses"], indirect=True)


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
    async with ConversationStore(path) as store:
        await store.db.execute("PRAGMA busy_timeout=50")
        async with aiosqlite.connect(path) as other:
            await other.execute("BEGIN EXCLUSIVE")
            with pytest.raises(StorageUnavailable, match="locked"):
                await store.inbox_add(ChatKey(1), message_id=1, private=True, text="hi")
            await other.rollback()
        assert await store.inbox_add(ChatKey(1), message_id=1, private=True, text="hi")


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
    "content", [STICKER, POLL, LOCATION, CONTACT, VOICE, DICE], ids=lambda c: next(iter(c))
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

    assert "only read text" in reply
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
