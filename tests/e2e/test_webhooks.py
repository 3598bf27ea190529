"""Webhooks: the fake Telegram posts updates to the bot as the Bot API server does (one per
chat in flight, retries on non-2xx, the secret header), and the bot keeps each update before it
says 200 — on both engines."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import aiohttp
import pytest

from bot.config import Config
from tests.conftest import ConfigFactory, Person, StartBot, both_engines
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_push import SECRET_HEADER
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot
from tests.servers.postgres import PostgresCluster

SECRET = "hook-secret-2f9c1e7a5b3d"
pytestmark = pytest.mark.parametrize("backend", ["responses"], indirect=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_config(
    make_config: ConfigFactory, env: dict[str, str] | None = None, **fields: Any
) -> Config:
    port = free_port()
    return make_config(
        {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            **(env or {}),
        },
        **fields,
    )


async def post(bot: RunningBot, body: bytes, secret: str | None = SECRET) -> aiohttp.ClientResponse:
    """A request to the bot's webhook, as Telegram (or a stranger) would make it."""
    assert bot.config.webhook_url is not None
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(bot.config.webhook_url, data=body, headers=headers) as response,
    ):
        await response.read()
        return response


def update_of(telegram: FakeTelegram, person: Person, text: str, update_id: int) -> bytes:
    message_id = 50_000 + update_id
    message: dict[str, Any] = {
        "message_id": message_id,
        "from": person.user,
        "chat": person.chat,
        "date": 1_700_000_000,
        "text": text,
    }
    telegram.messages[(person.chat_id, message_id)] = message
    return json.dumps({"update_id": update_id, "message": message}).encode()


@both_engines
async def test_updates_posted_by_telegram_are_kept_then_answered_once_each_in_order(
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram, alice: Person,
    bob: Person,
) -> None:  # fmt: skip
    bot = await start_bot(webhook_config(make_config))
    hook = telegram.webhook
    assert hook is not None and hook.url == bot.config.webhook_url and hook.secret == SECRET
    assert hook.allowed_updates is not None and "callback_query" in hook.allowed_updates

    for n in (1, 2, 3):
        alice.say(f"alice {n}")
        bob.say(f"bob {n}")

    assert [a.rsplit(": ", 1)[1] for a in await alice.replies(3)] == [
        "alice 1",
        "alice 2",
        "alice 3",
    ]
    assert [a.rsplit(": ", 1)[1] for a in await bob.replies(3)] == ["bob 1", "bob 2", "bob 3"]
    store = bot.services.store
    assert await store.journal.waiting() == 0
    assert {d.status for d in hook.deliveries} == {200}
    assert len(hook.deliveries) == 6
    assert telegram.calls_to("getUpdates") == []  # nobody polls while a webhook is set


async def test_a_request_without_the_right_secret_is_refused_and_nothing_is_kept(
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram, alice: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    bot = await start_bot(webhook_config(make_config))
    body = update_of(telegram, alice, "let me in", 900)

    wrong = await post(bot, body, secret="not-the-secret-at-all")
    missing = await post(bot, body, secret=None)
    junk = await post(bot, b"<html>not json</html>")

    assert (wrong.status, missing.status, junk.status) == (401, 401, 400)
    assert await bot.services.store.journal.pending() == []
    assert "wrong or missing secret header" in caplog.text
    assert SECRET not in caplog.text
    assert telegram.sent_texts(alice.chat_id) == []


async def test_an_update_delivered_again_is_answered_once(
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram, alice: Person,
    openai_server: FakeOpenAI,
) -> None:  # fmt: skip
    bot = await start_bot(webhook_config(make_config))
    body = update_of(telegram, alice, "only once", 901)

    first = await post(bot, body)
    again = await post(bot, body)  # Telegram timed out waiting and sent it again
    [answer] = await alice.replies(1)
    later = await post(bot, body)  # …or repeats it after it was answered
    alice.say("and this")
    await alice.replies(2)

    assert (first.status, again.status, later.status) == (200, 200, 200)
    assert answer.endswith("only once")
    assert [t for t in telegram.sent_texts(alice.chat_id) if t.endswith("only once")] == [answer]


async def test_the_status_tells_the_owner_how_updates_come_in_and_the_last_delivery_error(
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram, alice: Person,
) -> None:  # fmt: skip
    bot = await start_bot(webhook_config(make_config, {"ADMIN_USERS": str(alice.user["id"])}))
    hook = telegram.webhook
    assert hook is not None
    hook.last_error = (time.time() - 30, "Wrong response from the webhook: 503 Service Unavailable")

    alice.say("/status")
    [report] = await alice.replies(1)

    assert f"webhook: {bot.config.webhook_url}, 0 pending, last error 30 s ago: " in report
    assert "Wrong response from the webhook: 503" in report
    assert "leading, 1 chats (this one)" in report


async def test_going_back_to_polling_takes_the_webhook_away(
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram, alice: Person,
) -> None:  # fmt: skip
    hooked = await start_bot(webhook_config(make_config))
    assert telegram.webhook is not None
    await hooked.stop()

    await start_bot(make_config())
    alice.say("polling again")

    [answer] = await alice.replies(1)
    assert answer.endswith("polling again")
    assert telegram.webhook is None


async def test_while_the_database_is_away_telegram_is_told_to_send_again_later(
    cluster: PostgresCluster,  # first: stopped after the bot
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram, alice: Person,
) -> None:  # fmt: skip
    url = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
    bot = await start_bot(webhook_config(make_config, database_url=url))
    hook = telegram.webhook
    assert hook is not None
    alice.say("before")
    await alice.replies(1)

    await asyncio.to_thread(cluster.halt)
    alice.say("while it is away")
    await telegram.wait_until(lambda: [d for d in hook.deliveries if d.status == 503])
    await asyncio.to_thread(cluster.resume)

    [_, answer] = await alice.replies(2, within=30)
    assert answer.endswith("while it is away")
    refused = [d for d in hook.deliveries if d.status == 503]
    assert refused and hook.last_error is not None and "503" in hook.last_error[1]
    assert await bot.services.store.journal.waiting() == 0
