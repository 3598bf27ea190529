"""/start, /help, /reset and /persona, end to end."""

from __future__ import annotations

import asyncio

import pytest

from storage import ChatKey
from tests.conftest import ConfigFactory, Person, StartBot, both_engines
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot

# The whole module on both database engines: what it stores, PostgreSQL keeps alike.
pytestmark = both_engines


async def test_commands_are_registered_per_audience_at_start_up(
    bot: RunningBot, telegram: FakeTelegram
) -> None:
    assert telegram.commands == {
        "all_private_chats": ["persona", "reset", "language", "usage", "help", "start"],
        "all_group_chats": [
            "usage",
            "help",
        ],  # /reset, /persona, /language are for admins in groups
        "all_chat_administrators": ["persona", "reset", "language", "usage", "help"],
    }


async def test_start_greets_with_the_current_persona(bot: RunningBot, alice: Person) -> None:
    alice.say("/start")

    [greeting] = await alice.replies(1)

    assert "Alice" in greeting
    assert bot.services.personas.default.title in greeting
    assert "/reset" in greeting


async def test_help_lists_the_commands(bot: RunningBot, alice: Person) -> None:
    alice.say("/help")

    [text] = await alice.replies(1)

    for command in ("/persona", "/reset", "/help"):
        assert command in text


async def test_reset_deletes_old_conversation_and_starts_new(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("Remember: the password is swordfish.")
    await alice.replies(1)
    old = openai_server.turns[0].conversation

    alice.say("/reset")
    confirmation = (await alice.replies(2))[1]
    alice.say("What is the password?")
    await alice.replies(3)

    assert "forgotten" in confirmation
    after = openai_server.turns[-1]
    assert after.history == []
    if old is not None:  # a server-side conversation: deleted there, and a new one used
        assert openai_server.deleted == [old]
        assert after.conversation not in (None, old)


async def test_reset_waits_for_the_running_turn_and_loses_nothing(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    release = asyncio.Event()
    openai_server.replies.append(Reply(hold=release))
    alice.say("A long question")
    await alice.telegram.wait_until(lambda: openai_server.turns)
    alice.say("/reset")
    release.set()

    answer, confirmation = await alice.replies(2)

    assert "A long question" in answer
    assert "forgotten" in confirmation
    assert openai_server.one_at_a_time_rejections == 0


@pytest.mark.parametrize("backend", ["responses", "assistants"], indirect=True)
async def test_reset_of_a_conversation_already_gone_still_works(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("Hello")
    await alice.replies(1)
    openai_server.forget_all_conversations()  # deleted elsewhere, e.g. in the dashboard

    alice.say("/reset")

    assert "forgotten" in (await alice.replies(2))[1]
    assert len(openai_server.remote_conversations) == 1


async def test_persona_command_switches_directly_and_starts_fresh(
    bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    tutor = bot.services.personas.get("tutor")
    assert tutor is not None
    alice.say("Hello")
    await alice.replies(1)
    old = openai_server.turns[0].conversation

    alice.say("/persona tutor")
    confirmation = (await alice.replies(2))[1]
    alice.say("What is 2+2?")
    await alice.replies(3)

    assert tutor.title in confirmation
    last = openai_server.turns[-1]
    assert last.instructions.startswith(tutor.instructions)
    assert last.history == []
    if old is not None:
        assert openai_server.deleted == [old]
    record = await bot.services.store.chats.get(ChatKey(alice.chat_id))
    assert record is not None and record.persona == "tutor"


async def test_unknown_persona_gets_the_list(bot: RunningBot, alice: Person) -> None:
    alice.say("/persona pirate")

    [reply] = await alice.replies(1)

    assert "pirate" in reply
    for name in bot.services.personas.names:
        assert name in reply


async def test_persona_menu_button_switches_persona(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    personas = bot.services.personas
    alice.say("/persona")
    [menu_text] = await alice.replies(1)
    menu = telegram.calls_to("sendMessage", alice.chat_id)[0].result
    buttons = [row[0] for row in menu["reply_markup"]["inline_keyboard"]]
    assert personas.default.title in menu_text
    assert [b["callback_data"] for b in buttons] == [f"persona:{n}" for n in personas.names]

    telegram.push_callback(alice.user, menu, "persona:translator")
    edit = await telegram.wait_until(lambda: telegram.calls_to("editMessageText", alice.chat_id))
    alice.say("Bonjour")
    await alice.replies(2)

    translator = personas.get("translator")
    assert translator is not None and translator.title in edit[0].result["text"]
    assert telegram.calls_to("answerCallbackQuery")
    assert openai_server.turns[-1].instructions.startswith(translator.instructions)


async def test_persona_choice_survives_a_restart(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    config = make_config()
    first = await start_bot(config)
    alice.say("/persona shop")
    await alice.replies(1)
    await first.stop()
    second = await start_bot(config)

    alice.say("I need headphones")
    await alice.replies(2)

    shop = second.services.personas.get("shop")
    assert shop is not None
    assert openai_server.turns[-1].instructions.startswith(shop.instructions)


async def test_menus_telegram_refuses_do_not_keep_the_bot_from_answering(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    telegram.fail("setMyCommands", 400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID", count=99)

    await start_bot(make_config())

    alice.say("Hello")
    assert "Hello" in (await alice.replies(1))[0]
    assert "The jobs a leading process runs at start failed" in caplog.text
