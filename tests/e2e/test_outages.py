"""Outages while the bot runs: Telegram unreachable, the model server failing for a while."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.texts import ENGLISH
from storage.repositories import Inbox
from tests.conftest import (
    GROUP,
    TURN_PATHS,
    ConfigFactory,
    Person,
    StartBot,
    both_engines,
    responses_only,
    stored,
)
from tests.fakes.openai_server import FakeOpenAI, Reply, error_body
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot
from tests.waiting import until


def failed_calls(telegram: FakeTelegram, method: str) -> int:
    return sum(1 for call in telegram.calls if call.method == method and not call.ok)


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


@responses_only
async def test_a_telegram_outage_delays_answers_but_loses_and_repeats_none(
    bot: RunningBot,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    thinking = asyncio.Event()
    openai_server.replies.append(Reply(hold=thinking))
    alice.say("before the outage")
    await telegram.wait_until(lambda: openai_server.model.turns)

    await telegram.go_down()
    thinking.set()  # the answer is ready while Telegram is down
    alice.say("during the outage")  # Telegram keeps it until the bot polls again
    await telegram.wait_until(
        lambda: (
            failed_calls(telegram, "sendMessage") >= 2 and failed_calls(telegram, "getUpdates") >= 2
        )
    )
    assert telegram.sent_texts(alice.chat_id) == []
    assert "Telegram: unreachable" in await bot.services.status()
    telegram.come_back()

    replies = await alice.replies(2, within=30)

    assert replies == ["Answer #0 to: before the outage", "Answer #1 to: during the outage"]
    assert len(openai_server.model.turns) == 2  # neither message was run twice
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Telegram is not reachable" in m for m in messages) == 1
    assert sum("Telegram is reachable again" in m for m in messages) == 1
    assert tracebacks(caplog) == []
    assert "Telegram: reachable" in await bot.services.status()


@responses_only
@both_engines
async def test_an_answer_still_undelivered_at_shutdown_is_delivered_once_at_the_next_start(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    config = make_config()
    first = await start_bot(config)
    thinking = asyncio.Event()
    openai_server.replies.append(Reply(hold=thinking))
    alice.say("answer me after the outage")
    await telegram.wait_until(lambda: openai_server.model.turns)
    await telegram.go_down()
    thinking.set()
    await telegram.wait_until(lambda: failed_calls(telegram, "sendMessage") >= 1)

    await first.stop()  # the grace period ends while Telegram is still down
    async with stored(config) as store:
        [entry] = await store.inbox.pending()
    telegram.come_back()
    await start_bot(config)

    [answer] = await alice.replies(1, within=30)
    assert entry.state == "answered"
    assert answer == "Answer #0 to: answer me after the outage"
    assert len(openai_server.model.turns) == 1  # delivered from the inbox, not run again


@pytest.mark.parametrize("backend", ["responses", "chat"], indirect=True)
async def test_a_failing_model_server_answers_each_message_with_the_sentence(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    backend: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outage = error_body(
        "The server had an error while processing your request.", type="server_error"
    )
    openai_server.fail("POST", TURN_PATHS[backend], 500, outage, count=1000)
    # Each turn retries until its deadline; a short one keeps the test short.
    bot = await start_bot(make_config(response_timeout=2.0))
    alice.say("one")
    alice.say("two")

    replies = await alice.replies(2, within=30)

    assert replies == [ENGLISH.backend_unavailable] * 2
    openai_server.faults.clear()
    alice.say("three")
    [*_, answer] = await alice.replies(3, within=30)
    assert answer.endswith("to: three")
    await bot.stop()  # what follows the answer (clearing it from the inbox) has finished
    async with stored(bot.config) as store:
        assert await store.inbox.count() == 0
    assert tracebacks(caplog) == []


@responses_only
@both_engines
async def test_try_again_answers_the_message_the_model_could_not(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply(status="failed"))
    question = alice.say("What is the capital of France?")
    [notice] = await alice.replies(1)
    sent = telegram.calls_to("sendMessage", alice.chat_id)[0]
    [[button]] = sent.params["reply_markup"]["inline_keyboard"]
    assert notice == ENGLISH.answer_failed and button["text"] == ENGLISH.retry_button
    # Nothing waits: it is kept for the button (written just after the notice is sent).
    inbox = bot.services.store.inbox
    await until(lambda: _none_waiting(inbox), "the inbox keeps the message for the button")

    telegram.push_callback(alice.user, sent.result, button["callback_data"])
    replies = await alice.replies(2)

    assert replies[1].endswith("to: What is the capital of France?")
    answer = telegram.calls_to("sendMessage", alice.chat_id)[1]
    assert answer.params["reply_parameters"]["message_id"] == question["message_id"]
    await telegram.wait_until(lambda: telegram.calls_to("editMessageReplyMarkup"))
    now = telegram.messages[(alice.chat_id, sent.result["message_id"])]
    assert "reply_markup" not in now  # one press, one answer

    telegram.push_callback(alice.user, sent.result, button["callback_data"])  # an old client
    await telegram.wait_until(lambda: len(telegram.calls_to("answerCallbackQuery")) >= 2)
    assert telegram.calls_to("answerCallbackQuery")[-1].params["text"] == ENGLISH.retry_stale
    assert len(openai_server.model.turns) == 2
    assert len(telegram.calls_to("sendMessage", alice.chat_id)) == 2  # nothing else was said


@responses_only
async def test_a_message_the_model_answered_gets_no_button(
    bot: RunningBot, alice: Person, telegram: FakeTelegram
) -> None:
    alice.say("Hello")
    await alice.replies(1)

    assert "reply_markup" not in telegram.calls_to("sendMessage", alice.chat_id)[0].params


@responses_only
async def test_a_commands_reply_waits_out_an_outage_like_an_answer(
    bot: RunningBot, alice: Person, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram's front answers 502 to the reply (as in an outage), twice: the reply goes
    # through the same path as answers, which waits and sends it again.
    telegram.fail("sendMessage", 502, "Bad Gateway", count=2)
    alice.say("/help")

    [reply] = await alice.replies(1, within=30)

    assert reply.startswith("Just write to me and I'll answer")
    assert failed_calls(telegram, "sendMessage") == 2
    assert tracebacks(caplog) == []


@responses_only
@pytest.mark.parametrize("added_by", ["an allowed user", "a stranger"])
async def test_a_groups_welcome_or_refusal_waits_out_an_outage_like_an_answer(
    added_by: str,
    start_bot: StartBot,
    make_config: ConfigFactory,
    telegram: FakeTelegram,
    group: dict[str, Any],
    carol: Person,
    dave: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Words the bot sends unprompted go the way answers go: through Telegram's 502s.
    await start_bot(make_config({"ALLOWED_USERS": str(carol.user["id"])}))
    telegram.fail("sendMessage", 502, "Bad Gateway", count=2)
    adder = carol if added_by == "an allowed user" else dave
    telegram.push_membership(group, adder.user, "left", "member")

    [said] = await telegram.wait_for_messages(GROUP, 1, within=30)

    if adder is carol:
        assert f"@{telegram.bot_user['username']}" in said
    else:
        assert str(GROUP) in said and "ALLOWED_CHATS" in said
        await telegram.wait_until(lambda: telegram.left_chats)
    assert failed_calls(telegram, "sendMessage") == 2
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("backend", ["chat"], indirect=True)
async def test_the_owners_error_report_waits_out_an_outage(
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
    telegram.fail(
        "sendMessage", 502, "Bad Gateway", count=2,
        when=lambda params: params.get("chat_id") == bob.chat_id,
    )  # fmt: skip
    alice.say("/help")

    [report] = await bob.replies(1, within=30)

    assert "message thread not found" in report.lower()
    to_bob = [c for c in telegram.calls if c.params.get("chat_id") == bob.chat_id]
    assert [c.ok for c in to_bob] == [False, False, True]


async def _none_waiting(inbox: Inbox) -> bool:
    return await inbox.count() == 0
