"""The web pages over HTTP, on the real bot against the fakes: signing in by a `/web` link or a
Mini App launch, each route and who may use it, the web chat continuing the Telegram
conversation through the same inbox, and "delete everything about me"."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.web.login_links import token_hash
from storage import ChatKey, SignedIn
from tests.conftest import ConfigFactory, Person, StartBot, both_engines
from tests.e2e.test_webhooks import SECRET, free_port
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot
from tests.unit.sqlite_access import sqlite_of
from tests.waiting import until
from tests.web_client import WebVisitor, launch_for, sign_in_link


def web_env(**extra: str) -> dict[str, str]:
    """The web pages on a free port (WEB_URL defaults to it); Alice (42) owns the bot."""
    return {"WEB_LISTEN": f"127.0.0.1:{free_port()}", "ADMIN_USERS": "42", **extra}


Visit = Callable[[Person], Awaitable[WebVisitor]]


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The Responses backend, unless a test asks for each (the pages do not depend on it; the
    history each backend keeps does)."""
    return str(getattr(request, "param", "responses"))


@pytest.fixture
async def web_bot(start_bot: StartBot, make_config: ConfigFactory) -> RunningBot:
    return await start_bot(make_config(web_env()))


def asked_the_model(openai_server: FakeOpenAI) -> Callable[[], Awaitable[bool]]:
    """A web turn makes no Telegram call that could announce it: look at the fake model."""

    async def asked() -> bool:
        return bool(openai_server.turns)

    return asked


def base_of(bot: RunningBot) -> str:
    """Where the bot serves its pages (its own port, or the webhook's)."""
    assert bot.web is not None
    if bot.web.shared:
        return f"http://127.0.0.1:{bot.config.webhook_listen[1]}"
    return f"http://127.0.0.1:{bot.web.port}"


@pytest.fixture
async def visitors() -> AsyncIterator[list[WebVisitor]]:
    opened: list[WebVisitor] = []
    yield opened
    for visitor in opened:
        await visitor.close()


async def sign_in(bot: RunningBot, person: Person, visitors: list[WebVisitor]) -> WebVisitor:
    """A person signed in the way people are: /web in Telegram, then the link in a browser."""
    telegram = person.telegram
    sent = len(telegram.sent_texts(person.chat_id))
    person.say("/web")
    await person.replies(sent + 1)
    visitor = WebVisitor.at(base_of(bot))
    visitors.append(visitor)
    response = await visitor.sign_in(sign_in_link(telegram, person.chat_id))
    assert response.status == 303
    return visitor


@pytest.fixture
def visit(web_bot: RunningBot, visitors: list[WebVisitor]) -> Visit:
    async def signed_in(person: Person) -> WebVisitor:
        return await sign_in(web_bot, person, visitors)

    return signed_in


# -- signing in -------------------------------------------------------------------------------


async def test_without_web_listen_there_are_no_pages_and_web_says_so(
    bot: RunningBot, alice: Person
) -> None:
    alice.say("/web")

    [reply] = await alice.replies(1)

    assert bot.web is None
    assert "not turned on" in reply


@both_engines
async def test_a_web_link_is_spent_by_its_button_once_never_by_a_get(
    web_bot: RunningBot, alice: Person, telegram: FakeTelegram, visitors: list[WebVisitor]
) -> None:
    alice.say("/web")
    [text] = await alice.replies(1)
    link = sign_in_link(telegram, alice.chat_id)
    [sent] = telegram.calls_to("sendMessage", alice.chat_id)
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    assert "ten minutes" in text
    crawler = WebVisitor.at(base_of(web_bot))
    visitors.append(crawler)
    for _ in range(2):  # Telegram's preview, a chat app's crawler: the link survives them
        async with crawler.session.get(link) as page:
            assert page.status == 200
            assert 'method="post"' in await page.text()
    status, refusal = await crawler.who()
    assert status == 401 and "/web" in refusal["message"]

    browser = WebVisitor.at(base_of(web_bot))
    visitors.append(browser)
    response = await browser.sign_in(link)
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, me = await browser.who()
    assert (status, me["user_id"], me["role"]) == (200, 42, "owner")

    late = WebVisitor.at(base_of(web_bot))
    visitors.append(late)
    again = await late.sign_in(link)  # the same link, a second time
    assert again.status == 400
    assert (await late.who())[0] == 401


async def test_a_lapsed_link_and_a_made_up_one_sign_nobody_in(
    web_bot: RunningBot, visitors: list[WebVisitor]
) -> None:
    store = web_bot.services.store
    await store.web_logins.issue(token_hash("lapsed-token"), SignedIn(42), -1)
    visitor = WebVisitor.at(base_of(web_bot))
    visitors.append(visitor)

    for token in ("lapsed-token", "made-up-token"):
        response = await visitor.sign_in(f"{base_of(web_bot)}/login?t={token}")
        assert response.status == 400
    assert (await visitor.who())[0] == 401


async def test_sign_ins_from_one_address_are_rate_limited(
    web_bot: RunningBot, visitors: list[WebVisitor]
) -> None:
    visitor = WebVisitor.at(base_of(web_bot))
    visitors.append(visitor)
    base = base_of(web_bot)

    statuses = [(await visitor.sign_in(f"{base}/login?t=guess-{n}")).status for n in range(25)]

    assert statuses[:20] == [400] * 20
    assert set(statuses[20:]) == {429}


async def test_web_logout_ends_every_session(visit: Visit, alice: Person) -> None:
    laptop, phone = await visit(alice), await visit(alice)
    assert (await laptop.who())[0] == (await phone.who())[0] == 200

    alice.say("/web logout")
    replies = await alice.replies(3)

    assert "(2 " in replies[-1]
    assert (await laptop.who())[0] == (await phone.who())[0] == 401


async def test_web_in_a_group_points_to_the_private_chat(
    web_bot: RunningBot, alice: Person, group: dict[str, Any], telegram: FakeTelegram
) -> None:
    alice.say_in(group, "/web")

    [reply] = await telegram.wait_for_messages(group["id"], 1)

    assert "private chat" in reply
    assert "login?t=" not in str(telegram.calls_to("sendMessage", group["id"])[0].params)


async def test_a_mini_app_launch_signed_for_this_bot_opens_a_session(
    web_bot: RunningBot, alice: Person, telegram: FakeTelegram, visitors: list[WebVisitor]
) -> None:
    app = WebVisitor.at(base_of(web_bot))
    visitors.append(app)

    response = await app.open_mini_app(launch_for(alice.user, telegram.token))

    assert response.status == 200
    status, me = await app.who()
    assert (status, me["user_id"]) == (200, 42)
    status, page = await app.page("settings")  # by the header: no cookie, no CSRF token needed
    assert status == 200 and "Delete everything" in page


def _other_bot(user: dict[str, Any], token: str) -> str:
    return launch_for(user, "123:another-bots-token")


def _tampered(user: dict[str, Any], token: str) -> str:
    return launch_for(user, token).replace("Alice", "Mallory")


def _stale(user: dict[str, Any], token: str) -> str:
    return launch_for(user, token, signed_at=time.time() - 2 * 3600)


@pytest.mark.parametrize("launch", [_other_bot, _tampered, _stale])
async def test_a_mini_app_launch_not_signed_for_this_bot_lately_is_refused(
    web_bot: RunningBot,
    alice: Person,
    telegram: FakeTelegram,
    visitors: list[WebVisitor],
    launch: Callable[[dict[str, Any], str], str],
) -> None:
    app = WebVisitor.at(base_of(web_bot))
    visitors.append(app)

    response = await app.open_mini_app(launch(alice.user, telegram.token))

    assert response.status == 401
    assert app.bearer is None


async def test_strangers_get_no_link_and_no_pages(
    start_bot: StartBot,
    make_config: ConfigFactory,
    bob: Person,
    telegram: FakeTelegram,
    visitors: list[WebVisitor],
) -> None:
    bot = await start_bot(make_config(web_env(ALLOWED_USERS="42")))
    bob.say("/web")
    [reply] = await bob.replies(1)
    assert "login?t=" not in str(telegram.calls_to("sendMessage", bob.chat_id)[0].params)
    assert str(bob.user["id"]) in reply  # the usual "not allowed, your id is …"

    app = WebVisitor.at(base_of(bot))
    visitors.append(app)
    assert (await app.open_mini_app(launch_for(bob.user, telegram.token))).status == 403
    # A session from before the owner took Bob off the list opens nothing either.
    token = "left-over-session"
    await bot.services.store.web_logins.start_session(
        token_hash(token), SignedIn(bob.chat_id), 3600
    )
    app.bearer = token
    assert (await app.page("chat"))[0] == 403


# -- who sees what ------------------------------------------------------------------------------


async def test_no_session_no_pages(web_bot: RunningBot, visitors: list[WebVisitor]) -> None:
    visitor = WebVisitor.at(base_of(web_bot))
    visitors.append(visitor)
    for name in ("chat", "personas", "usage", "settings", "owner-usage", "owner-status"):
        assert (await visitor.page(name))[0] == 401
    for action in ("persona", "language", "reset", "forget", "logout", "chat"):
        async with visitor.session.post(f"{base_of(web_bot)}/api/{action}") as response:
            assert response.status == 401


async def test_people_see_their_own_chat_and_only_owners_see_the_owners_pages(
    visit: Visit, alice: Person, bob: Person
) -> None:
    alice.say("Alice's secret plan")
    await alice.replies(1)
    bob.say("Bob's shopping list")
    await bob.replies(1)
    alices, bobs = await visit(alice), await visit(bob)

    status, page = await bobs.page("chat")
    assert status == 200
    assert "Bob&#x27;s shopping list" in page and "secret plan" not in page
    for name in ("owner-usage", "owner-status"):
        assert (await bobs.page(name))[0] == 403
        assert (await alices.page(name))[0] == 200
    status, me = await bobs.who()
    assert me["role"] == "member"
    assert "owner-usage" not in [p["id"] for p in me["pages"]]
    assert (await alices.page("no-such-page"))[0] == 404


async def test_forms_sent_with_the_cookie_need_the_csrf_token(
    visit: Visit, alice: Person, openai_server: FakeOpenAI
) -> None:
    visitor = await visit(alice)
    visitor.csrf = "forged"

    for action in ("reset", "forget", "logout", "persona", "language"):
        assert (await visitor.post(action))[0] == 403, action
    assert (await visitor.chat("hi"))[0] == 403
    assert not openai_server.deleted and not openai_server.turns


async def test_every_page_is_sent_with_a_strict_content_security_policy(
    visit: Visit, alice: Person, web_bot: RunningBot
) -> None:
    visitor = await visit(alice)
    for path in ("/app", "/mini-app", "/login?t=x", "/api/page/chat", "/static/app.js"):
        async with visitor.session.get(base_of(web_bot) + path, headers=visitor.headers()) as r:
            assert r.status == 200, path
            policy = r.headers["Content-Security-Policy"]
            assert "default-src 'none'" in policy
            assert "script-src 'self' https://telegram.org;" in policy
            assert "unsafe-inline" not in policy
            assert r.headers["Referrer-Policy"] == "no-referrer"


# -- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["responses", "assistants", "chat"], indirect=True)
async def test_the_chat_page_shows_the_conversation_as_the_model_server_keeps_it(
    visit: Visit, alice: Person, openai_server: FakeOpenAI
) -> None:
    openai_server.replies.append(Reply("Here is **bold** and <script>alert(1)</script>"))
    alice.say("Hello <b>there</b>")
    await alice.replies(1)
    visitor = await visit(alice)

    status, page = await visitor.page("chat")

    assert status == 200
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page  # the person's words, escaped
    assert "<b>bold</b>" in page  # the model's Markdown, rendered as the bot renders it
    assert "<script>" not in page and "&lt;script&gt;" in page


@both_engines
async def test_a_web_message_continues_the_telegram_conversation(
    visit: Visit, alice: Person, openai_server: FakeOpenAI, telegram: FakeTelegram
) -> None:
    alice.say("My name is Alice.")
    await alice.replies(1)
    visitor = await visit(alice)
    sent = len(telegram.sent_texts(alice.chat_id))
    openai_server.replies.append(Reply("Nice to *meet* you on the web.", chunks=6))

    status, answer = await visitor.chat("Hello from the web")

    assert status == 200
    assert answer.of("answer") == ["Nice to <i>meet</i> you on the web."]
    assert [kind for kind, _ in answer.events][-1] == "end"
    first, web = openai_server.turns[0], openai_server.turns[1]
    assert web.conversation == first.conversation and "Hello from the web" in web.input
    assert len(telegram.sent_texts(alice.chat_id)) == sent  # to the page, not to Telegram

    alice.say("And what did I say on the web?")
    replies = await alice.replies(sent + 1)
    assert openai_server.turns[2].conversation == first.conversation
    assert "what did I say on the web" in replies[-1]
    status, page = await visitor.page("chat")
    assert "Hello from the web" in page and "<i>meet</i>" in page


async def test_the_web_answer_streams_in_before_it_ends(
    visit: Visit, alice: Person, openai_server: FakeOpenAI
) -> None:
    visitor = await visit(alice)
    text = " ".join(f"word{n}" for n in range(40))
    openai_server.replies.append(Reply(text, chunks=8, chunk_delay=0.15))

    status, answer = await visitor.chat("Count")

    assert status == 200
    kinds = [kind for kind, _ in answer.events]
    assert kinds[0] == "typing" and kinds[-2:] == ["answer", "end"]
    partial = answer.of("text")
    assert partial and len(partial[0]) < len(answer.of("answer")[0])


async def test_one_web_message_at_a_time_and_empty_or_long_ones_are_refused(
    visit: Visit, alice: Person, openai_server: FakeOpenAI
) -> None:
    visitor = await visit(alice)
    release = asyncio.Event()
    openai_server.replies.append(Reply("slow", hold=release))
    first = asyncio.create_task(visitor.chat("first"))
    await until(asked_the_model(openai_server), "the model was asked")

    status, answer = await visitor.chat("second")
    assert status == 409 and "Wait for the answer" in answer.of("refused")[0]
    assert (await visitor.chat("   "))[0] == 400
    assert (await visitor.chat("x" * 4001))[0] == 400
    release.set()
    assert (await first)[0] == 200


@both_engines
async def test_switching_persona_on_the_web_starts_a_fresh_conversation(
    visit: Visit, alice: Person, openai_server: FakeOpenAI, web_bot: RunningBot
) -> None:
    alice.say("Hello")
    await alice.replies(1)
    old = openai_server.turns[0].conversation
    visitor = await visit(alice)
    other = web_bot.services.personas.personas[1]

    status, page = await visitor.page("personas")
    assert status == 200 and other.title in page
    status, reply = await visitor.post("persona", name=other.name)
    assert status == 200 and other.title in reply["message"]
    assert (await visitor.post("persona", name="no-such-persona"))[0] == 400

    assert old in openai_server.deleted
    persona = await web_bot.services.engine.persona_for(ChatKey(alice.chat_id))
    assert persona.name == other.name
    status, page = await visitor.page("personas")
    assert page.count("in use") == 1 and page.index(other.title) < page.index("in use")


async def test_the_usage_pages_chart_the_last_thirty_days_against_the_budgets(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    visitors: list[WebVisitor],
) -> None:
    bot = await start_bot(make_config(web_env(BUDGET_PER_USER="1/day,0.0001/month")))
    bob.say("Hello")
    await bob.replies(1)
    member, owner = await sign_in(bot, bob, visitors), await sign_in(bot, alice, visitors)

    status, page = await member.page("usage")

    assert status == 200
    assert page.count('<rect class="bar"') == 30
    assert "1 answers" in page and "of $1.00" in page and "<meter" in page
    status, owners = await owner.page("owner-usage")
    assert status == 200 and owners.count('<rect class="bar"') == 30 + 1  # the days; the one model
    assert "By model, this month</h3>" in owners
    assert re.search(r"<td>43</td><td>\$[0-9.]+</td><td>1</td><td>\d+ % of \$0.0001</td>", owners)


async def test_the_status_page_shows_the_status_and_a_scrubbed_log_tail(
    visit: Visit, alice: Person, web_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # as LOG_LEVEL sets it in the process
    visitor = await visit(alice)

    status, page = await visitor.page("owner-status")

    assert status == 200
    assert "backend:" in page and "signed in to the web pages" in page
    assert web_bot.config.telegram_bot_token not in page
    assert web_bot.config.openai_api_key not in page


async def test_choosing_a_language_on_the_web_is_the_chats_language(
    visit: Visit, alice: Person, web_bot: RunningBot
) -> None:
    visitor = await visit(alice)

    status, reply = await visitor.post("language", language="es")
    assert status == 200 and reply["message"] == "Guardado."
    assert await web_bot.services.languages.chosen(alice.chat_id) == "es"
    assert (await visitor.post("language", language="klingon"))[0] == 400

    status, me = await visitor.who()  # the pages speak it from now on
    assert [p["title"] for p in me["pages"]][:4] == ["Chat", "Personas", "Uso", "Ajustes"]
    assert "Borrar todo" in (await visitor.page("settings"))[1]
    assert (await visitor.chat(" "))[1].of("refused") == ["Escribe algo primero."]


@both_engines
async def test_delete_everything_about_me(
    visit: Visit, alice: Person, bob: Person, openai_server: FakeOpenAI, web_bot: RunningBot
) -> None:
    alice.say("Remember my secret")
    await alice.replies(1)
    bob.say("Bob stays")
    await bob.replies(1)
    conversation = openai_server.turns[0].conversation
    store = web_bot.services.store
    visitor = await visit(alice)
    _, month = web_bot.services.usage.windows()

    status, reply = await visitor.post("forget")

    assert status == 200 and reply["ended"]
    assert conversation in openai_server.deleted
    assert await store.chats.get(ChatKey(alice.chat_id)) is None
    rows = await store.engine.rows(
        "SELECT count(*) FROM ledger WHERE chat_id = ?", (alice.chat_id,)
    )
    assert rows == [(0,)]
    updates = await store.engine.rows(
        "SELECT count(*) FROM tg_updates WHERE chat_id = ?", (alice.chat_id,)
    )
    assert updates == [(0,)]
    kept = await store.ledger.totals([("user", str(alice.chat_id), month)])
    assert kept[("user", str(alice.chat_id), month)].answers == 1  # her budget still counts it
    assert (await visitor.who())[0] == 401  # signed out with the rest
    assert await store.chats.get(ChatKey(bob.chat_id)) is not None  # nobody else's
    alice.say("Do you remember my secret?")
    await alice.replies(3)
    assert openai_server.turns[-1].conversation != conversation  # a fresh start


async def test_a_web_turn_cut_by_a_stop_is_answered_in_telegram_at_the_next_start(
    visit: Visit,
    alice: Person,
    openai_server: FakeOpenAI,
    web_bot: RunningBot,
    start_bot: StartBot,
    make_config: ConfigFactory,
) -> None:
    visitor = await visit(alice)
    release = asyncio.Event()
    openai_server.replies.append(Reply("The answer you left before", hold=release))
    chatting = asyncio.create_task(visitor.chat("Tell me later"))
    await until(asked_the_model(openai_server), "the model was asked")
    web_bot.services.stop_now.set()
    await web_bot.stop()
    status, answer = await chatting  # the stop ended the stream, not a timeout
    assert status == 200 and [kind for kind, _ in answer.events][-1] == "end"
    assert not answer.of("answer")
    release.set()

    await start_bot(make_config(web_env()))

    replies = await alice.replies(2)
    assert "The answer you left before" in replies[-1]


@both_engines
async def test_an_owner_lets_a_stranger_in_from_the_people_page(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    carol: Person,
    visitors: list[WebVisitor],
) -> None:
    bot = await start_bot(make_config(web_env(ALLOWED_USERS=str(carol.chat_id))))
    bob.say("Hello? Can I use this?")
    [refused] = await bob.replies(1)
    assert str(bob.chat_id) in refused
    owner = await sign_in(bot, alice, visitors)

    status, page = await owner.page("owner-people")
    assert status == 200
    assert f'data-person="{bob.chat_id}"' in page and "Bob" in page and "1 messages" in page
    assert str(carol.chat_id) in page and f'data-person="{carol.chat_id}"' not in page
    status, said = await owner.post("people", user_id=str(bob.chat_id), allowed="1")

    assert status == 200 and "told in Telegram" in said["message"]
    assert bot.services.members(bob.chat_id)  # the budgets count him as a member, not a guest
    welcome = (await bob.replies(2))[-1]
    assert "let you in" in welcome
    bob.say("Thank you!")
    assert "Thank you!" in (await bob.replies(3))[-1]
    bobs = await sign_in(bot, bob, visitors)  # now he has pages of his own, not the owner's
    assert (await bobs.page("chat"))[0] == 200
    assert (await bobs.post("people", user_id=str(bob.chat_id), allowed="1"))[0] == 403

    status, said = await owner.post("people", user_id=str(bob.chat_id), allowed="0")
    assert status == 200 and not bot.services.members(bob.chat_id)
    assert (await bobs.page("chat"))[0] == 403
    bob.say("Still there?")
    assert str(bob.chat_id) in (await bob.replies(5))[-1]  # refused again, with his id
    status, said = await owner.post("people", user_id=str(carol.chat_id), allowed="0")
    assert "ALLOWED_USERS" in said["message"]  # the environment is the floor


PERSONAS = """
[[persona]]
name = "helper"
title = "Family helper"
description = "Helps the family."
instructions = "Help the family."

[[persona]]
name = "chef"
title = "Chef"
description = "Cooks."
instructions = "Cook."
"""


async def test_an_owner_edits_the_personas_file_checked_by_the_bots_own_loader(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    visitors: list[WebVisitor],
    tmp_path: Path,
) -> None:
    path = tmp_path / "personas.toml"
    path.write_text(PERSONAS)
    bot = await start_bot(make_config(web_env(PERSONAS_FILE=str(path))))
    alice.say("Hello")
    await alice.replies(1)
    owner = await sign_in(bot, alice, visitors)

    status, page = await owner.page("owner-personas")
    assert status == 200
    assert '<td>Family helper</td><td></td><td>1 <span class="hint">(42)</span>' in page
    assert "<td>Chef</td><td></td><td>0</td>" in page
    assert "Cook." in page and str(path) in page
    broken = PERSONAS.replace('name = "chef"', "name = ")
    status, said = await owner.post("personas-check", text=broken)
    assert status == 400 and "not valid TOML" in said["message"]
    status, said = await owner.post("personas-save", text=PERSONAS + '\n[[persona]]\nname = "x"\n')
    assert status == 400 and path.read_text() == PERSONAS  # nothing saved

    edited = PERSONAS.replace('title = "Chef"', 'title = "Head chef"')
    status, said = await owner.post("personas-check", text=edited)
    assert status == 200 and "2 personas (helper, chef)" in said["message"]
    status, said = await owner.post("personas-save", text=edited)
    assert status == 200 and "next start" in said["message"]
    assert path.read_text() == edited

    member = await sign_in(bot, bob, visitors)
    assert (await member.page("owner-personas"))[0] == 403
    assert (await member.post("personas-save", text=PERSONAS))[0] == 403
    assert path.read_text() == edited


async def test_a_bot_on_the_bundled_personas_checks_drafts_but_saves_none(
    visit: Visit, alice: Person
) -> None:
    owner = await visit(alice)

    status, page = await owner.page("owner-personas")
    assert status == 200 and "bundled file" in page and "disabled" in page
    status, said = await owner.post("personas-save", text=PERSONAS)
    assert status == 400 and "set PERSONAS_FILE" in said["message"]


async def test_with_webhooks_on_the_same_address_one_server_takes_both(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    visitors: list[WebVisitor],
) -> None:
    port = free_port()
    bot = await start_bot(
        make_config(
            {
                "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                **web_env(WEB_LISTEN=f"127.0.0.1:{port}"),
            }
        )
    )
    assert bot.web is not None and bot.web.shared

    visitor = await sign_in(bot, alice, visitors)  # /web came in by the webhook

    assert base_of(bot) == f"http://127.0.0.1:{port}"
    assert (await visitor.page("chat"))[0] == 200
    hook = telegram.webhook
    assert hook is not None and {d.status for d in hook.deliveries} == {200}


async def test_over_https_the_mini_app_is_in_the_menu_and_under_each_link(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, telegram: FakeTelegram
) -> None:
    await start_bot(make_config(web_env(WEB_URL="https://bot.example.org")))

    button = telegram.menu_buttons[None]
    assert button["type"] == "web_app"
    assert button["web_app"]["url"] == "https://bot.example.org/mini-app"
    alice.say("/web")
    await alice.replies(1)
    [sent] = telegram.calls_to("sendMessage", alice.chat_id)
    assert "https://bot.example.org/login?t=" in sent.params["text"]
    [[open_button]] = sent.params["reply_markup"]["inline_keyboard"]
    assert open_button["web_app"] == {"url": "https://bot.example.org/mini-app"}


async def test_a_mini_app_address_telegram_refuses_is_a_log_line_not_a_bot_that_cannot_start(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    telegram.fail("setChatMenuButton", 400, "Bad Request: WEB_APP_URL_INVALID")

    await start_bot(make_config(web_env(WEB_URL="https://bot.example.org")))

    assert "Could not put the Mini App in the chats' menu" in caplog.text
    alice.say("Hello")
    assert "Hello" in (await alice.replies(1))[0]


async def test_the_pages_speak_the_telegram_apps_language_until_the_chat_chooses_one(
    web_bot: RunningBot, telegram: FakeTelegram, visitors: list[WebVisitor]
) -> None:
    maria = telegram.user(55, "Maria", language_code="pt-br")
    pablo = telegram.user(56, "Pablo", language_code="es")
    by_link = await sign_in(
        web_bot, Person(telegram, maria, telegram.private_chat(maria)), visitors
    )
    mini_app = WebVisitor.at(base_of(web_bot))
    visitors.append(mini_app)
    assert (await mini_app.open_mini_app(launch_for(pablo, telegram.token))).status == 200

    assert [p["title"] for p in (await by_link.who())[1]["pages"]][3] == "Configurações"
    assert [p["title"] for p in (await mini_app.who())[1]["pages"]][3] == "Ajustes"
    assert (await mini_app.post("language", language="en"))[1]["message"] == "Saved."
    assert [p["title"] for p in (await mini_app.who())[1]["pages"]][3] == "Settings"


async def test_a_database_that_cannot_write_is_a_try_again_and_the_link_is_not_spent(
    web_bot: RunningBot, alice: Person, telegram: FakeTelegram, visitors: list[WebVisitor]
) -> None:
    alice.say("/web")
    await alice.replies(1)
    link = sign_in_link(telegram, alice.chat_id)
    browser = WebVisitor.at(base_of(web_bot))
    visitors.append(browser)
    store = web_bot.services.store
    await sqlite_of(store).execute("PRAGMA busy_timeout=50")

    async with aiosqlite.connect(web_bot.config.database_path) as other:
        await other.execute("BEGIN EXCLUSIVE")  # another program holds the file
        refused = await browser.sign_in(link)
        await other.rollback()

    assert refused.status == 503 and refused.headers["Retry-After"] == "5"
    assert refused.content_type == "text/html"  # a page the browser shows, not JSON
    assert (await browser.sign_in(link)).status == 303  # the link was not spent
    assert (await browser.who())[0] == 200
