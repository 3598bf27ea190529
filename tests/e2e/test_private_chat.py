"""A person chatting with the bot in private: conversations, order, typing, restarts, access.

Runs against every backend (see the `backend` fixture), streamed and polled.
"""

from __future__ import annotations

import asyncio

import pytest

from storage import ChatKey
from tests.conftest import ConfigFactory, Person, StartBot, both_engines
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot

# The core scenarios hold whether answers are streamed or polled.
pytestmark = pytest.mark.parametrize("reply_mode", ["stream", "poll"], indirect=True)


async def test_first_message_creates_conversation_and_answers(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    message = alice.say("What is the capital of France?")

    [answer] = await alice.replies(1)

    [turn] = openai_server.turns
    assert turn.input == "What is the capital of France?"
    assert turn.history == []
    assert answer == turn.text
    sent = telegram.calls_to("sendMessage", alice.chat_id)[0].params
    assert sent["reply_parameters"]["message_id"] == message["message_id"]
    record = await bot.services.store.chats.get(ChatKey(alice.chat_id))
    assert record is not None and record.conversation_id is not None
    assert turn.conversation in (None, record.conversation_id)
    assert record.backend == bot.config.backend


@both_engines
async def test_second_message_continues_the_same_conversation(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("My name is Alice.")
    await alice.replies(1)
    alice.say("What is my name?")
    await alice.replies(2)

    first, second = openai_server.turns
    assert second.history == [first.input, first.text]
    assert second.conversation == first.conversation


@both_engines
async def test_conversation_survives_a_restart_on_the_same_database(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    config = make_config()
    first_bot = await start_bot(config)
    alice.say("Remember the number 7.")
    await alice.replies(1)
    await first_bot.stop()

    await start_bot(config)
    alice.say("Which number?")
    await alice.replies(2)

    first, second = openai_server.turns
    assert second.history == [first.input, first.text]
    assert len(openai_server.remote_conversations) <= 1


async def test_persona_instructions_are_sent_with_every_turn(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    default = bot.services.personas.default
    for n in range(3):
        alice.say(f"Message {n}")
        await alice.replies(n + 1)

    instructions = [t.instructions for t in openai_server.turns]
    assert instructions[0].startswith(default.instructions)
    assert instructions == [instructions[0]] * 3


async def test_typing_is_repeated_during_a_slow_answer_and_stops_after_it(
    bot: RunningBot, alice: Person, bob: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    release = asyncio.Event()
    openai_server.replies.append(Reply(hold=release))
    alice.say("Think hard, please.")

    await telegram.wait_until(lambda: len(telegram.calls_to("sendChatAction", alice.chat_id)) >= 3)
    assert telegram.sent_texts(alice.chat_id) == []
    assert all(c.params["action"] == "typing" for c in telegram.calls_to("sendChatAction"))
    release.set()
    await alice.replies(1)
    answered_at = telegram.calls_to("sendMessage", alice.chat_id)[0].at

    # Let several typing intervals pass (measured by Bob's slow answer), then look back.
    openai_server.replies.append(Reply(hold=asyncio.Event()))
    bob.say("Slow one")
    await telegram.wait_until(lambda: len(telegram.calls_to("sendChatAction", bob.chat_id)) >= 4)
    assert [
        c for c in telegram.calls_to("sendChatAction", alice.chat_id) if c.at > answered_at
    ] == []


async def test_a_burst_in_one_chat_is_answered_in_order_one_turn_at_a_time(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    for _ in range(5):
        openai_server.replies.append(Reply(delay=0.05))
    messages = [alice.say(f"Question number {n}") for n in range(5)]

    answers = await alice.replies(5)

    assert openai_server.one_at_a_time_rejections == 0
    assert [t.input for t in openai_server.turns] == [f"Question number {n}" for n in range(5)]
    assert answers == [t.text for t in openai_server.turns]
    replied_to = [
        c.params["reply_parameters"]["message_id"]
        for c in telegram.calls_to("sendMessage", alice.chat_id)
    ]
    assert replied_to == [m["message_id"] for m in messages]


async def test_chats_do_not_wait_for_each_other(
    bot: RunningBot, alice: Person, bob: Person, openai_server: FakeOpenAI
) -> None:
    release = asyncio.Event()
    openai_server.replies.append(Reply(hold=release))
    alice.say("A slow question")
    await bob.telegram.wait_until(lambda: openai_server.turns)
    bob.say("A quick question")

    [bob_answer] = await bob.replies(1)

    assert "A quick question" in bob_answer
    assert bob.telegram.sent_texts(alice.chat_id) == []
    release.set()
    await alice.replies(1)


async def test_beyond_max_concurrent_turns_a_chat_waits_its_turn_with_typing(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    await start_bot(make_config({"MAX_CONCURRENT_TURNS": "1"}))
    release = asyncio.Event()
    openai_server.replies.append(Reply(hold=release))
    alice.say("A slow question")
    await telegram.wait_until(lambda: openai_server.turns)
    bob.say("A quick question")

    # Bob's answer would take milliseconds; instead he sees typing, time after time.
    await telegram.wait_until(
        lambda: (
            len(telegram.calls_to("sendChatAction", bob.chat_id)) >= 3
            or telegram.sent_texts(bob.chat_id)
        )
    )
    assert telegram.sent_texts(bob.chat_id) == []
    assert len(openai_server.turns) == 1
    release.set()
    [bob_answer] = await bob.replies(1)

    assert "A quick question" in bob_answer


async def test_a_stranger_is_told_their_id_and_nothing_reaches_the_model(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    await start_bot(make_config({"ALLOWED_USERS": ""}))
    stranger = Person(telegram, telegram.user(555, "Eve"), {})
    stranger.chat = telegram.private_chat(stranger.user)

    stranger.say("Hi, can I use you?")

    [reply] = await stranger.replies(1)
    assert "555" in reply
    assert "ALLOWED_USERS" in reply
    assert openai_server.turns == []
    assert openai_server.remote_conversations == set()


async def test_only_listed_users_are_served(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    openai_server: FakeOpenAI,
) -> None:
    await start_bot(make_config({"ALLOWED_USERS": f"{alice.user['id']}, 1"}))
    bob.say("Let me in")
    alice.say("Hello")

    [to_bob] = await bob.replies(1)
    [to_alice] = await alice.replies(1)

    assert str(bob.user["id"]) in to_bob
    assert "Hello" in to_alice
    assert [t.input for t in openai_server.turns] == ["Hello"]


async def test_edited_messages_are_ignored(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    original = alice.say("Frist question")
    await alice.replies(1)
    telegram.push_update({"edited_message": {**original, "text": "First question", "edit_date": 1}})
    alice.say("Next")
    await alice.replies(2)

    assert [t.input for t in openai_server.turns] == ["Frist question", "Next"]
