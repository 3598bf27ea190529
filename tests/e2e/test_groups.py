"""Groups: when the bot answers (mentions, replies, commands, triggers), topics, migration,
who may reset, access and inactive chats.

Addressing runs on every backend; the rules above the backends run on the Responses one only.
What a group leaves in the database (topics, upgrades, status, retention) is tested on both
engines.
"""

from __future__ import annotations

from typing import Any

from storage import ChatKey
from tests.conftest import GROUP, ConfigFactory, Person, StartBot, both_engines, responses_only
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram
from tests.media_samples import jpeg
from tests.running_bot import RunningBot

GROUP = GROUP


async def test_a_mention_is_answered_with_the_sender_name_for_the_model(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
) -> None:
    message = carol.say_in(group, f"@{BOT_USERNAME} what should we cook tonight?")

    [answer] = await telegram.wait_for_messages(GROUP, 1)

    [turn] = openai_server.turns
    assert turn.input == "Carol Danvers: what should we cook tonight?"
    assert answer == turn.text
    sent = telegram.calls_to("sendMessage", GROUP)[0].params
    assert sent["reply_parameters"]["message_id"] == message["message_id"]


async def test_a_reply_to_the_bot_is_answered_in_the_same_group_conversation(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
    dave: Person,
) -> None:
    carol.say_in(group, f"@{BOT_USERNAME} suggest a film")
    await telegram.wait_for_messages(GROUP, 1)
    bot_message = telegram.calls_to("sendMessage", GROUP)[0].result

    dave.say_in(group, "Something shorter?", reply_to=bot_message)
    await telegram.wait_for_messages(GROUP, 2)

    first, second = openai_server.turns
    assert second.input == f'Dave: (replying to your message: "{first.text}") Something shorter?'
    assert second.history == [first.input, first.text]


async def test_unaddressed_messages_are_ignored(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
    dave: Person,
) -> None:
    chatter = carol.say_in(group, "Who is picking up the kids?")
    dave.say_in(group, "I will", reply_to=chatter)
    dave.say_in(group, "/help@some_other_bot")
    dave.say_in(group, "ask @someone_else about it")
    # A message that is answered marks the point by which the others were handled.
    carol.say_in(group, f"thanks @{BOT_USERNAME}")

    answers = await telegram.wait_for_messages(GROUP, 1)

    assert len(answers) == 1
    assert [t.input for t in openai_server.turns] == ["Carol Danvers: thanks"]


async def test_commands_addressed_to_the_bot_work_in_groups(
    bot: RunningBot, telegram: FakeTelegram, group: dict[str, Any], carol: Person
) -> None:
    carol.say_in(group, f"/help@{BOT_USERNAME}")

    [text] = await telegram.wait_for_messages(GROUP, 1)

    assert "/reset" in text


async def test_group_members_share_one_conversation(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
    dave: Person,
) -> None:
    carol.say_in(group, f"@{BOT_USERNAME} I'm vegetarian")
    await telegram.wait_for_messages(GROUP, 1)
    dave.say_in(group, f"@{BOT_USERNAME} and I'm vegan")
    await telegram.wait_for_messages(GROUP, 2)

    first, second = openai_server.turns
    assert second.history == [first.input, first.text]


async def test_private_and_group_conversations_stay_apart(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
) -> None:
    private = carol.chat
    carol.say_in(private, "My secret diary entry")
    await telegram.wait_for_messages(private["id"], 1)
    carol.say_in(group, f"@{BOT_USERNAME} hello all")
    await telegram.wait_for_messages(GROUP, 1)

    private_turn, group_turn = openai_server.turns
    assert group_turn.history == []
    assert group_turn.conversation is None or group_turn.conversation != private_turn.conversation


# -- rules above the backends ---------------------------------------------------------------


@responses_only
async def test_a_keyword_trigger_is_answered_without_the_keyword(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
) -> None:
    await start_bot(make_config({"GROUP_TRIGGER": "bot,"}))
    carol.say_in(group, "just chatting")
    carol.say_in(group, "Bot, what's the weather like?")

    await telegram.wait_for_messages(GROUP, 1)

    assert [t.input for t in openai_server.turns] == ["Carol Danvers: what's the weather like?"]


@responses_only
async def test_a_caption_mentioning_the_bot_counts_like_text(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
) -> None:
    caption = f"@{BOT_USERNAME} what is this plant?"
    photo = telegram.photo(jpeg(90, 90), 90, 90)
    carol.say_in(group, None, photo=photo, caption=caption,
        caption_entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}],
    )  # fmt: skip

    await telegram.wait_for_messages(GROUP, 1)

    [turn] = openai_server.turns
    assert turn.input == "Carol Danvers: what is this plant?"
    assert len(turn.media) == 1  # the model sees the photo itself


@responses_only
async def test_a_text_mention_of_the_bot_is_answered(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
) -> None:
    entity = {"type": "text_mention", "offset": 0, "length": 9, "user": telegram.bot_user}
    carol.say_in(group, "Telethread, hello", entities=[entity])

    await telegram.wait_for_messages(GROUP, 1)

    assert openai_server.turns[0].input == "Carol Danvers: Telethread, hello"


@responses_only
async def test_a_reply_to_someone_else_is_quoted_for_the_model(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
    dave: Person,
) -> None:
    question = dave.say_in(group, "Is the museum open on Mondays?")
    carol.say_in(group, f"@{BOT_USERNAME} do you know?", reply_to=question)

    await telegram.wait_for_messages(GROUP, 1)

    assert openai_server.turns[0].input == (
        'Carol Danvers: (replying to Dave: "Is the museum open on Mondays?") do you know?'
    )


@responses_only
@both_engines
async def test_forum_topics_are_separate_conversations_and_replies_land_in_them(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: Person
) -> None:
    forum = telegram.group_chat(-1009, "Club", forum=True)
    telegram.admins[-1009] = [carol.user]
    carol.say_in(forum, f"@{BOT_USERNAME} in topic ten", topic_id=10)
    await telegram.wait_for_messages(-1009, 1)
    carol.say_in(forum, f"@{BOT_USERNAME} in topic twenty", topic_id=20)
    await telegram.wait_for_messages(-1009, 2)
    carol.say_in(forum, f"/reset@{BOT_USERNAME}", topic_id=10)
    await telegram.wait_for_messages(-1009, 3)

    ten, twenty = openai_server.turns
    assert ten.conversation != twenty.conversation
    assert twenty.history == []
    sent = telegram.calls_to("sendMessage", -1009)
    assert [c.params.get("message_thread_id") for c in sent] == [10, 20, 10]
    assert openai_server.deleted == [ten.conversation]  # the reset touched topic ten only
    typing_topics = {c.params.get("message_thread_id") for c in telegram.calls_to("sendChatAction")}
    assert typing_topics <= {10, 20}


@responses_only
@both_engines
async def test_a_supergroup_upgrade_by_service_message_keeps_the_conversation(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: Person
) -> None:
    old = telegram.group_chat(-4001, "Family")
    new = telegram.group_chat(-1004001, "Family")
    carol.say_in(old, f"@{BOT_USERNAME} remember 42")
    await telegram.wait_for_messages(-4001, 1)

    carol.say_in(old, None, migrate_to_chat_id=-1004001)
    carol.say_in(new, None, migrate_from_chat_id=-4001)
    carol.say_in(new, f"@{BOT_USERNAME} what number?")
    await telegram.wait_for_messages(-1004001, 1)

    first, second = openai_server.turns
    assert second.conversation == first.conversation
    assert len(openai_server.remote_conversations) == 1


@responses_only
@both_engines
async def test_a_supergroup_upgrade_found_on_send_is_followed(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: Person
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
    carol.say_in(old, f"@{BOT_USERNAME} remember 7")

    [answer] = await telegram.wait_for_messages(-1004002, 1)
    carol.say_in(new, f"@{BOT_USERNAME} which number?")
    await telegram.wait_for_messages(-1004002, 2)

    first, second = openai_server.turns
    assert answer == first.text
    assert second.conversation == first.conversation


@responses_only
async def test_only_admins_may_reset_a_group(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
    dave: Person,
) -> None:
    telegram.admins[GROUP] = [carol.user]
    carol.say_in(group, f"@{BOT_USERNAME} hello")
    await telegram.wait_for_messages(GROUP, 1)

    dave.say_in(group, f"/reset@{BOT_USERNAME}")
    refusal = (await telegram.wait_for_messages(GROUP, 2))[1]
    carol.say_in(group, f"/reset@{BOT_USERNAME}")
    done = (await telegram.wait_for_messages(GROUP, 3))[2]

    assert "only this group's admins" in refusal
    assert "forgotten" in done
    assert len(openai_server.deleted) == 1
    assert len(telegram.calls_to("getChatAdministrators")) == 1  # cached between commands


@responses_only
async def test_the_owner_may_always_reset(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    group: dict[str, Any],
    dave: Person,
) -> None:
    await start_bot(make_config({"ADMIN_USERS": str(dave.user["id"])}))
    dave.say_in(group, f"/reset@{BOT_USERNAME}")

    [done] = await telegram.wait_for_messages(GROUP, 1)

    assert "forgotten" in done


@responses_only
@both_engines
async def test_a_group_added_by_a_stranger_is_told_and_left(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    dave: Person,
) -> None:
    await start_bot(make_config({"ALLOWED_USERS": "42"}))
    telegram.push_membership(group, dave.user, "left", "member")

    await telegram.wait_until(lambda: telegram.left_chats)

    [notice] = telegram.sent_texts(GROUP)
    assert str(GROUP) in notice and "ALLOWED_CHATS" in notice
    assert openai_server.turns == []


@responses_only
@both_engines
async def test_a_group_added_by_an_allowed_user_is_welcomed_and_served(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
    dave: Person,
) -> None:
    await start_bot(make_config({"ALLOWED_USERS": str(carol.user["id"])}))
    telegram.push_membership(group, carol.user, "left", "member")
    [welcome] = await telegram.wait_for_messages(GROUP, 1)

    dave.say_in(group, f"@{BOT_USERNAME} hi, I'm Carol's brother")
    await telegram.wait_for_messages(GROUP, 2)

    assert f"@{BOT_USERNAME}" in welcome
    assert openai_server.turns[0].input.startswith("Dave:")
    assert telegram.left_chats == []


@responses_only
async def test_an_allowed_chats_entry_serves_everyone_there(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    dave: Person,
) -> None:
    await start_bot(make_config({"ALLOWED_USERS": "", "ALLOWED_CHATS": str(GROUP)}))
    dave.say_in(group, f"@{BOT_USERNAME} hello")

    await telegram.wait_for_messages(GROUP, 1)

    assert len(openai_server.turns) == 1


@responses_only
@both_engines
async def test_a_blocked_bot_marks_the_chat_inactive_and_keeps_the_conversation(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: Person
) -> None:
    private = carol.chat
    telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    carol.say_in(private, "Hello")
    store = bot.services.store

    await telegram.wait_until(lambda: [c for c in telegram.calls if not c.ok])
    await telegram.wait_until(lambda: not telegram.faults)
    telegram.push_membership(private, carol.user, "member", "kicked")  # Telegram also reports it
    carol.say_in(private, "/help")  # handled after the update above
    await telegram.wait_for_messages(private["id"], 1)

    assert not await store.chat_status.active(carol.user["id"])
    record = await store.chats.get(ChatKey(carol.user["id"]))
    assert record is not None and record.conversation_id is not None
    assert openai_server.deleted == []


@responses_only
@both_engines
async def test_retention_deletes_conversations_of_inactive_chats(
    bot: RunningBot, telegram: FakeTelegram, openai_server: FakeOpenAI, carol: Person
) -> None:
    private = carol.chat
    carol.say_in(private, "Hello")
    await telegram.wait_for_messages(private["id"], 1)
    services = bot.services
    await services.engine.chat_unreachable(carol.user["id"])

    purged = await services.engine.purge_inactive(days=0)

    assert purged == 1
    assert openai_server.deleted == [openai_server.turns[0].conversation]
    assert await services.store.chats.get(ChatKey(carol.user["id"])) is None


@responses_only
@both_engines
async def test_group_context_all_adds_unaddressed_messages_without_answering(
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
    dave: Person,
) -> None:
    await start_bot(make_config({"GROUP_CONTEXT": "all"}))
    dave.say_in(group, "We land at 6pm on Friday")
    carol.say_in(group, f"@{BOT_USERNAME} when do they land?")

    [answer] = await telegram.wait_for_messages(GROUP, 1)

    [turn] = openai_server.turns
    assert turn.history == ["Dave: We land at 6pm on Friday"]
    assert answer == turn.text


@responses_only
async def test_a_group_answer_is_streamed_so_it_is_sent_the_moment_it_is_written(
    bot: RunningBot,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    group: dict[str, Any],
    carol: Person,
) -> None:
    carol.say_in(group, f"@{BOT_USERNAME} hello")

    await telegram.wait_for_messages(GROUP, 1)

    [created] = openai_server.requests_to("POST", "/responses")
    assert created.get("stream") is True
    assert not openai_server.requests_to("GET", "/responses/")  # no polling for the end
    assert not telegram.calls_to("editMessageText", GROUP)  # nothing shown along the way
