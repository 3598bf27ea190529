"""Languages end to end: chosen from Telegram's language_code, by /language, per group; the
model told which to fall back on; Telegram's menus registered per language; resumes keep it."""

from __future__ import annotations

from typing import Any

from bot.texts import CATALOGUES
from storage import ChatKey
from tests.conftest import GROUP, ConfigFactory, Person, StartBot, stored
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram
from tests.running_bot import RunningBot

PT, ES = CATALOGUES["pt-BR"], CATALOGUES["es"]


def person(telegram: FakeTelegram, user_id: int, name: str, code: str | None) -> Person:
    extra = {"language_code": code} if code else {}
    user = telegram.user(user_id, name, **extra)
    return Person(telegram, user, telegram.private_chat(user))


async def test_a_user_whose_telegram_speaks_portuguese_is_greeted_in_portuguese(
    bot: RunningBot, telegram: FakeTelegram
) -> None:
    paula = person(telegram, 501, "Paula", "pt-br")
    paula.say("/start")

    [greeting] = await paula.replies(1)

    assert greeting.startswith("Oi, Paula!")
    assert "Assistente geral" in greeting  # the persona's title, translated in personas.toml


async def test_language_es_switches_and_auto_goes_back_to_telegrams(
    bot: RunningBot, telegram: FakeTelegram
) -> None:
    paula = person(telegram, 502, "Paula", "pt-BR")
    paula.say("/language es")
    switched = (await paula.replies(1))[-1]
    paula.say("/help")
    help_text = (await paula.replies(2))[-1]
    paula.say("/language auto")
    back = (await paula.replies(3))[-1]

    assert switched == ES.language_chosen
    assert help_text.startswith("Escríbeme y te respondo")
    assert back.startswith("Pronto") and "Português (Brasil)" in back


async def test_the_language_menu_switches_with_a_tap(
    bot: RunningBot, telegram: FakeTelegram
) -> None:
    sam = person(telegram, 503, "Sam", "en-US")
    sam.say("/language")
    [menu_text] = await sam.replies(1)
    menu = telegram.calls_to("sendMessage", sam.chat_id)[0].result
    buttons = [row[0] for row in menu["reply_markup"]["inline_keyboard"]]

    telegram.push_callback(sam.user, menu, "language:pt-BR")
    await telegram.wait_until(lambda: telegram.calls_to("editMessageText", sam.chat_id))

    assert "English" in menu_text and "automatically" in menu_text
    assert [b["callback_data"] for b in buttons] == [
        "language:en", "language:pt-BR", "language:es", "language:auto"
    ]  # fmt: skip
    assert [b["text"] for b in buttons][-1] == "✅ Automatic"
    edited = telegram.calls_to("editMessageText", sam.chat_id)[0].params["text"]
    assert edited == PT.language_chosen


async def test_an_unknown_language_lists_the_ones_there_are(
    bot: RunningBot, telegram: FakeTelegram
) -> None:
    sam = person(telegram, 504, "Sam", None)
    sam.say("/language klingon")

    [reply] = await sam.replies(1)

    assert "klingon" in reply and "pt-BR" in reply and "auto" in reply


async def test_a_group_speaks_the_language_of_whoever_added_the_bot(
    bot: RunningBot, telegram: FakeTelegram, group: dict[str, Any]
) -> None:
    eva = telegram.user(505, "Eva", language_code="es-419")
    paulo = telegram.user(506, "Paulo", language_code="pt-br")
    telegram.push_membership(group, eva, "left", "member")
    [welcome] = await telegram.wait_for_messages(GROUP, 1)

    telegram.push_message(group, paulo, f"/help@{BOT_USERNAME}")
    [_, help_text] = await telegram.wait_for_messages(GROUP, 2)

    assert welcome.startswith("¡Hola a todos!")
    assert help_text.startswith("Escríbeme")  # the group's language, not Paulo's


async def test_only_admins_choose_a_groups_language(
    bot: RunningBot, telegram: FakeTelegram, group: dict[str, Any], carol: Person
) -> None:
    carol.say_in(group, f"/language@{BOT_USERNAME} es")

    [refusal] = await telegram.wait_for_messages(GROUP, 1)

    assert refusal == CATALOGUES["en"].admins_only


async def test_the_model_is_told_which_language_to_fall_back_on(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    paula = person(telegram, 507, "Paula", "pt")
    paula.say("ok")
    await paula.replies(1)
    paula.say("e agora?")
    await paula.replies(2)

    first, second = openai_server.turns
    assert first.instructions.startswith(bot.services.personas.default.instructions)
    assert first.instructions.endswith("reply in Brazilian Portuguese.")
    assert second.instructions == first.instructions  # stable: the prompt cache holds


async def test_menus_and_descriptions_are_registered_per_language(
    bot: RunningBot, telegram: FakeTelegram
) -> None:
    for code, texts in ((None, CATALOGUES["en"]), ("en", CATALOGUES["en"]), ("pt", PT), ("es", ES)):
        menu = dict(telegram.command_menus[("all_private_chats", code)])
        assert list(menu) == ["persona", "reset", "language", "usage", "help", "start"]
        assert menu["language"] == texts.command_language
        assert telegram.descriptions[code] == texts.bot_description
        assert telegram.short_descriptions[code] == texts.bot_short_description


async def test_an_owner_may_make_another_language_the_default(
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram
) -> None:
    await start_bot(make_config({"DEFAULT_LANGUAGE": "es"}))
    nobody = person(telegram, 508, "Ana", "de")  # a language we do not have
    nobody.say("/help")

    [help_text] = await nobody.replies(1)

    assert help_text.startswith("Escríbeme")
    assert dict(telegram.command_menus[("all_private_chats", None)])["help"] == ES.command_help


async def test_a_turn_resumed_after_a_restart_keeps_its_language(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alice: Person,
) -> None:
    config = make_config()
    async with stored(config) as store:  # left by the last run
        await store.inbox.add(
            ChatKey(alice.chat_id), message_id=7, private=True, text="hola", language="es"
        )

    await start_bot(config)
    await alice.replies(1)

    [turn] = openai_server.turns
    assert turn.instructions.endswith("reply in Spanish.")  # alice's own Telegram is English
