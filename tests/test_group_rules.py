"""Group behaviour in depth: triggers, topics, migration, rights, access, inactive chats.

The rules live above the backends, so these run on the Responses backend only.
"""

from __future__ import annotations

from typing import Any

import pytest

from storage import ChatKey
from tests.conftest import GROUP, ConfigFactory, RunningBot, StartBot
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram

pytestmark = pytest.mark.parametrize("backend", ["responses"], indirect=True)


async def test_a_keyword_trigger_is_answered_without_the_keyword(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
) -> None:
    await start_bot(make_config({"GROUP_TRIGGER": "bot,"}))
    telegram.push_message(group, carol, "just chatting")
    telegram.push_message(group, carol, "Bot, what's the weather like?")

    await telegram.wait_for_messages(GROUP, 1)

    assert [t.input for t in openai_server.turns] == ["Carol Danvers: what's the weather like?"]


async def test_a_caption_mentioning_the_bot_counts_like_text(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
) -> None:
    caption = f"@{BOT_USERNAME} what is this plant?"
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    telegram.push_message(
        group, carol, None, photo=photo, caption=caption,
        caption_entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}],
    )  # fmt: skip

    await telegram.wait_for_messages(GROUP, 1)

    [turn] = openai_server.turns
    assert turn.input.startswith("Carol Danvers: what is this plant?")
    assert "a photo attached" in turn.input


async def test_a_text_mention_of_the_bot_is_answered(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
) -> None:
    entity = {"type": "text_mention", "offset": 0, "length": 9, "user": telegram.bot_user}
    telegram.push_message(group, carol, "Telethread, hello", entities=[entity])

    await telegram.wait_for_messages(GROUP, 1)

    assert openai_server.turns[0].input == "Carol Danvers: Telethread, hello"


async def test_a_reply_to_someone_else_is_quoted_for_the_model(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    question = telegram.push_message(group, dave, "Is the museum open on Mondays?")
    telegram.push_message(group, carol, f"@{BOT_USERNAME} do you know?", reply_to=question)

    await telegram.wait_for_messages(GROUP, 1)

    assert openai_server.turns[0].input == (
        'Carol Danvers: (replying to Dave: "Is the museum open on Mondays?") do you know?'
    )


async def test_forum_topics_are_separate_conversations_and_replies_land_in_them(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: dict[str, Any]
) -> None:
    forum = telegram.group_chat(-1009, "Club", forum=True)
    telegram.admins[-1009] = [carol]
    telegram.push_message(forum, carol, f"@{BOT_USERNAME} in topic ten", topic_id=10)
    await telegram.wait_for_messages(-1009, 1)
    telegram.push_message(forum, carol, f"@{BOT_USERNAME} in topic twenty", topic_id=20)
    await telegram.wait_for_messages(-1009, 2)
    telegram.push_message(forum, carol, f"/reset@{BOT_USERNAME}", topic_id=10)
    await telegram.wait_for_messages(-1009, 3)

    ten, twenty = openai_server.turns
    assert ten.conversation != twenty.conversation
    assert twenty.history == []
    sent = telegram.calls_to("sendMessage", -1009)
    assert [c.params.get("message_thread_id") for c in sent] == [10, 20, 10]
    assert openai_server.deleted == [ten.conversation]  # the reset touched topic ten only
    typing_topics = {c.params.get("message_thread_id") for c in telegram.calls_to("sendChatAction")}
    assert typing_topics <= {10, 20}


async def test_a_supergroup_upgrade_by_service_message_keeps_the_conversation(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: dict[str, Any]
) -> None:
    old = telegram.group_chat(-4001, "Family")
    new = telegram.group_chat(-1004001, "Family")
    telegram.push_message(old, carol, f"@{BOT_USERNAME} remember 42")
    await telegram.wait_for_messages(-4001, 1)

    telegram.push_message(old, carol, None, migrate_to_chat_id=-1004001)
    telegram.push_message(new, carol, None, migrate_from_chat_id=-4001)
    telegram.push_message(new, carol, f"@{BOT_USERNAME} what number?")
    await telegram.wait_for_messages(-1004001, 1)

    first, second = openai_server.turns
    assert second.conversation == first.conversation
    assert len(openai_server.remote_conversations) == 1


async def test_a_supergroup_upgrade_found_on_send_is_followed(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: dict[str, Any]
) -> None:
    old = telegram.group_chat(-4002, "Family")
    new = telegram.group_chat(-1004002, "Family")
    telegram.fail(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        parameters={"migrate_to_chat_id": -1004002},
        when=lambda params: params.get("chat_id") == -4002,
    )
    telegram.push_message(old, carol, f"@{BOT_USERNAME} remember 7")

    [answer] = await telegram.wait_for_messages(-1004002, 1)
    telegram.push_message(new, carol, f"@{BOT_USERNAME} which number?")
    await telegram.wait_for_messages(-1004002, 2)

    first, second = openai_server.turns
    assert answer == first.text
    assert second.conversation == first.conversation


async def test_only_admins_may_reset_a_group(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    telegram.admins[GROUP] = [carol]
    telegram.push_message(group, carol, f"@{BOT_USERNAME} hello")
    await telegram.wait_for_messages(GROUP, 1)

    telegram.push_message(group, dave, f"/reset@{BOT_USERNAME}")
    refusal = (await telegram.wait_for_messages(GROUP, 2))[1]
    telegram.push_message(group, carol, f"/reset@{BOT_USERNAME}")
    done = (await telegram.wait_for_messages(GROUP, 3))[2]

    assert "only this group's admins" in refusal
    assert "forgotten" in done
    assert len(openai_server.deleted) == 1
    assert len(telegram.calls_to("getChatAdministrators")) == 1  # cached between commands


async def test_the_owner_may_always_reset(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    group: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    await start_bot(make_config({"ADMIN_USERS": str(dave["id"])}))
    telegram.push_message(group, dave, f"/reset@{BOT_USERNAME}")

    [done] = await telegram.wait_for_messages(GROUP, 1)

    assert "forgotten" in done


async def test_a_group_added_by_a_stranger_is_told_and_left(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    await start_bot(make_config({"ALLOWED_USERS": "42"}))
    telegram.push_membership(group, dave, "left", "member")

    await telegram.wait_until(lambda: telegram.left_chats)

    [notice] = telegram.sent_texts(GROUP)
    assert str(GROUP) in notice and "ALLOWED_CHATS" in notice
    assert openai_server.turns == []


async def test_a_group_added_by_an_allowed_user_is_welcomed_and_served(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    await start_bot(make_config({"ALLOWED_USERS": str(carol["id"])}))
    telegram.push_membership(group, carol, "left", "member")
    [welcome] = await telegram.wait_for_messages(GROUP, 1)

    telegram.push_message(group, dave, f"@{BOT_USERNAME} hi, I'm Carol's brother")
    await telegram.wait_for_messages(GROUP, 2)

    assert f"@{BOT_USERNAME}" in welcome
    assert openai_server.turns[0].input.startswith("Dave:")
    assert telegram.left_chats == []


async def test_an_allowed_chats_entry_serves_everyone_there(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    await start_bot(make_config({"ALLOWED_USERS": "", "ALLOWED_CHATS": str(GROUP)}))
    telegram.push_message(group, dave, f"@{BOT_USERNAME} hello")

    await telegram.wait_for_messages(GROUP, 1)

    assert len(openai_server.turns) == 1


async def test_a_blocked_bot_marks_the_chat_inactive_and_keeps_the_conversation(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: dict[str, Any]
) -> None:
    private = telegram.private_chat(carol)
    telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    telegram.push_message(private, carol, "Hello")
    store = bot.app.bot_data["services"].store

    await telegram.wait_until(lambda: [c for c in telegram.calls if not c.ok])
    await telegram.wait_until(lambda: not telegram.faults)
    telegram.push_membership(private, carol, "member", "kicked")  # Telegram also reports it
    telegram.push_message(private, carol, "/help")  # handled after the update above
    await telegram.wait_for_messages(private["id"], 1)

    assert not await store.chat_active(carol["id"])
    assert (await store.get_chat(ChatKey(carol["id"]))).conversation_id is not None
    assert openai_server.deleted == []


async def test_retention_deletes_conversations_of_inactive_chats(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: dict[str, Any]
) -> None:
    private = telegram.private_chat(carol)
    telegram.push_message(private, carol, "Hello")
    await telegram.wait_for_messages(private["id"], 1)
    services = bot.app.bot_data["services"]
    await services.engine.chat_unreachable(carol["id"])

    purged = await services.engine.purge_inactive(days=0)

    assert purged == 1
    assert openai_server.deleted == [openai_server.turns[0].conversation]
    assert await services.store.get_chat(ChatKey(carol["id"])) is None


async def test_group_context_all_adds_unaddressed_messages_without_answering(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: dict[str, Any],
    dave: dict[str, Any],
) -> None:
    await start_bot(make_config({"GROUP_CONTEXT": "all"}))
    telegram.push_message(group, dave, "We land at 6pm on Friday")
    telegram.push_message(group, carol, f"@{BOT_USERNAME} when do they land?")

    [answer] = await telegram.wait_for_messages(GROUP, 1)

    [turn] = openai_server.turns
    assert turn.history == ["Dave: We land at 6pm on Friday"]
    assert answer == turn.text
