"""Groups, first cut: the bot answers when mentioned, replied to, or commanded — and only then."""

from __future__ import annotations

from typing import Any

from tests.conftest import GROUP, RunningBot
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram

GROUP_ID = GROUP


async def test_a_mention_is_answered_with_the_sender_name_for_the_model(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
) -> None:
    message = telegram.push_message(group, carol, f"@{BOT_USERNAME} what should we cook tonight?")

    [answer] = await telegram.wait_for_messages(GROUP_ID, 1)

    [turn] = openai_server.turns
    assert turn.input == "Carol Danvers: what should we cook tonight?"
    assert answer == turn.text
    sent = telegram.calls_to("sendMessage", GROUP_ID)[0].params
    assert sent["reply_parameters"]["message_id"] == message["message_id"]


async def test_a_reply_to_the_bot_is_answered_in_the_same_group_conversation(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    telegram.push_message(group, carol, f"@{BOT_USERNAME} suggest a film")
    await telegram.wait_for_messages(GROUP_ID, 1)
    bot_message = telegram.calls_to("sendMessage", GROUP_ID)[0].result

    telegram.push_message(group, dave, "Something shorter?", reply_to=bot_message)
    await telegram.wait_for_messages(GROUP_ID, 2)

    first, second = openai_server.turns
    assert second.input == f'Dave: (replying to your message: "{first.text}") Something shorter?'
    assert second.history == [first.input, first.text]


async def test_unaddressed_messages_are_ignored(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    chatter = telegram.push_message(group, carol, "Who is picking up the kids?")
    telegram.push_message(group, dave, "I will", reply_to=chatter)
    telegram.push_message(group, dave, "/help@some_other_bot")
    telegram.push_message(group, dave, "ask @someone_else about it")
    # A message that is answered marks the point by which the others were handled.
    telegram.push_message(group, carol, f"thanks @{BOT_USERNAME}")

    answers = await telegram.wait_for_messages(GROUP_ID, 1)

    assert len(answers) == 1
    assert [t.input for t in openai_server.turns] == ["Carol Danvers: thanks"]


async def test_commands_addressed_to_the_bot_work_in_groups(
    bot: RunningBot, telegram: FakeTelegram, group: dict[str, Any], carol: dict[str, Any]
) -> None:
    telegram.push_message(group, carol, f"/help@{BOT_USERNAME}")

    [text] = await telegram.wait_for_messages(GROUP_ID, 1)

    assert "/reset" in text


async def test_group_members_share_one_conversation(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    telegram.push_message(group, carol, f"@{BOT_USERNAME} I'm vegetarian")
    await telegram.wait_for_messages(GROUP_ID, 1)
    telegram.push_message(group, dave, f"@{BOT_USERNAME} and I'm vegan")
    await telegram.wait_for_messages(GROUP_ID, 2)

    first, second = openai_server.turns
    assert second.history == [first.input, first.text]


async def test_private_and_group_conversations_stay_apart(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
) -> None:
    private = telegram.private_chat(carol)
    telegram.push_message(private, carol, "My secret diary entry")
    await telegram.wait_for_messages(private["id"], 1)
    telegram.push_message(group, carol, f"@{BOT_USERNAME} hello all")
    await telegram.wait_for_messages(GROUP_ID, 1)

    private_turn, group_turn = openai_server.turns
    assert group_turn.history == []
    assert group_turn.conversation is None or group_turn.conversation != private_turn.conversation
