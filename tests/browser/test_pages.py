"""The web pages in a real browser (headless Chromium), on the real bot against the fakes: what
a person does — sign in by the `/web` link, read the conversation, switch persona, chat and
watch the answer stream in, then go on in Telegram — the Mini App opened with a signed launch
and with a tampered one, the owner's pages in a dark theme. Screenshots of each page are kept
in test-artifacts/screenshots."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from typing import Any

import pytest

from storage.database import Database
from storage.engines import Statement
from tests.browser.conftest import TELEGRAM_SCRIPT, screenshot, telegram_stub
from tests.conftest import ConfigFactory, Person, StartBot
from tests.e2e.test_webhooks import free_port
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot
from tests.web_client import launch_for, sign_in_link

TIMEOUT_MS = 10_000


@pytest.fixture
async def web_bot(start_bot: StartBot, make_config: ConfigFactory) -> RunningBot:
    port = free_port()
    return await start_bot(make_config({"WEB_LISTEN": f"127.0.0.1:{port}", "ADMIN_USERS": "42"}))


def base_of(bot: RunningBot) -> str:
    assert bot.web is not None
    return f"http://127.0.0.1:{bot.web.port}"


async def signed_in_page(
    browser: Any, person: Person, telegram: FakeTelegram, **options: Any
) -> Any:
    """A browser tab signed in the way a person does it: /web, open the link, press the button."""
    sent = len(telegram.sent_texts(person.chat_id))
    person.say("/web")
    await person.replies(sent + 1)
    context = await browser.new_context(**options)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(sign_in_link(telegram, person.chat_id))
    await page.click("#sign-in")
    await page.wait_for_selector("#tabs button.active")
    return page


async def mini_app(browser: Any, bot: RunningBot, launch: str, *, dark: bool) -> Any:
    """The Mini App as Telegram opens it on a phone: its script (a stub serving `launch` and
    the app's theme) in place of telegram.org's."""
    context = await browser.new_context(viewport={"width": 420, "height": 640})
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    stub = telegram_stub(launch, dark=dark)
    await page.route(
        TELEGRAM_SCRIPT,
        lambda route: route.fulfill(content_type="text/javascript", body=stub),
    )
    await page.goto(f"{base_of(bot)}/mini-app")
    return page


async def test_a_person_signs_in_reads_switches_persona_and_chats_on(
    browser: Any,
    web_bot: RunningBot,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    openai_server.replies.append(Reply("Hello Alice, **nice** to meet you."))
    alice.say("Hi, I am Alice")
    await alice.replies(1)

    page = await signed_in_page(browser, alice, telegram)

    assert page.url.endswith("/app#chat")
    await page.wait_for_selector(".bubble.user")
    assert await page.inner_text(".bubble.user") == "Hi, I am Alice"
    assert await page.inner_html(".bubble.bot") == "Hello Alice, <b>nice</b> to meet you."
    await screenshot(page, "chat")

    other = web_bot.services.personas.personas[1]
    await page.click("#tabs button[data-page=personas]")
    await page.click(f"li[data-persona='{other.name}'] button")
    await page.wait_for_selector(f"#toast:has-text('{other.title}')")
    assert await page.inner_text(f"li[data-persona='{other.name}'] .badge") == "in use"
    await screenshot(page, "personas")
    first_conversation = openai_server.turns[0].conversation
    assert first_conversation in openai_server.deleted

    # The web chat: the answer streams in, word by word, before it ends.
    words = " ".join(f"word{n}" for n in range(60))
    openai_server.replies.append(Reply(words, chunks=12, chunk_delay=0.15))
    await page.click("#tabs button[data-page=chat]")
    await page.fill("#chat-form textarea", "Count for me, please")
    await page.click("#chat-form button")
    await page.wait_for_selector(".bubble.bot.pending:has-text('word1')")
    partial = await page.inner_text(".bubble.bot.pending")
    await page.wait_for_selector(".bubble.bot.done")
    final = await page.inner_text(".bubble.bot.done")
    assert final == words and len(partial) < len(final)
    await screenshot(page, "web-chat")

    # Back in Telegram, the conversation has the web turn in it.
    sent = len(telegram.sent_texts(alice.chat_id))
    alice.say("What did I ask on the web?")
    await alice.replies(sent + 1)
    web_turn, telegram_turn = openai_server.turns[-2], openai_server.turns[-1]
    assert web_turn.input.endswith("Count for me, please")
    assert telegram_turn.conversation == web_turn.conversation != first_conversation


async def test_the_mini_app_opens_with_telegrams_signed_launch_in_its_theme(
    browser: Any,
    web_bot: RunningBot,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    openai_server.replies.append(
        Reply(
            "A plan for **Saturday**:\n\n1. The farmers' market at 9\n2. Lunch at *Nonna's*"
            "\n3. A walk by the river\n\nShall I check the weather?"
        )
    )
    alice.say("Plan our Saturday, please")
    await alice.replies(1)
    launch = launch_for(alice.user, telegram.token)

    page = await mini_app(browser, web_bot, launch, dark=True)

    await page.wait_for_selector(".bubble.user")
    assert await page.inner_text(".bubble.user") == "Plan our Saturday, please"
    assert "<b>Saturday</b>" in await page.inner_html(".bubble.bot")
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 33, 43)"  # Telegram's dark theme, through its variables
    assert await page.evaluate("document.cookie") == ""  # the session is a token in memory
    await screenshot(page, "mini-app-dark")
    await page.click("#tabs button[data-page=usage]")
    await page.wait_for_selector("svg.chart")
    assert await page.locator("svg.chart rect.bar").count() == 30
    await screenshot(page, "mini-app-usage")


async def test_a_tampered_mini_app_launch_opens_nothing(
    browser: Any, web_bot: RunningBot, alice: Person, telegram: FakeTelegram
) -> None:
    launch = launch_for(alice.user, telegram.token).replace("Alice", "Mallory")

    page = await mini_app(browser, web_bot, launch, dark=False)

    refusal = await page.wait_for_selector("#refused")
    assert "did not check out" in await refusal.inner_text()
    assert await page.locator("#tabs button").count() == 0
    await screenshot(page, "mini-app-refused")


async def a_month_of_answers(store: Database, people: tuple[int, ...]) -> int:
    """What a family's month of answers leaves in the ledger (the days before today cannot be
    lived through in a test): how many answers."""
    today = date.today()
    statements: list[Statement] = []
    for back in range(1, 30):
        day = today - timedelta(days=back)
        for n, person in enumerate(people):
            for k in range((back * back + 3 * n) % 6):  # an uneven month, as people are
                statements.append(
                    (
                        "INSERT INTO ledger (chat_id, message_id, user_id, backend, model, state,"
                        " source, input_tokens, output_tokens, cost_micros, day, month)"
                        " VALUES (?, ?, ?, 'responses', 'gpt-5-mini', 'settled', 'reported',"
                        " ?, ?, ?, ?, ?)",
                        (person, back * 100 + k, person, 1800 + 90 * k, 400, 9000 + 3500 * k,
                         day.isoformat(), day.strftime("%Y-%m")),
                    )
                )  # fmt: skip
    await store.engine.commit("seed a month of answers", statements)
    return len(statements)


async def test_the_owner_sees_the_bots_usage_and_status_in_a_dark_browser(
    browser: Any, web_bot: RunningBot, alice: Person, bob: Person, telegram: FakeTelegram
) -> None:
    await a_month_of_answers(web_bot.services.store, (alice.chat_id, bob.chat_id))
    for n in range(3):
        alice.say(f"Question {n}")
    await alice.replies(3)

    page = await signed_in_page(browser, alice, telegram, color_scheme="dark")
    await page.click("#tabs button[data-page=owner-usage]")
    await page.wait_for_selector("svg.chart")

    assert await page.locator("svg.chart").first.locator("rect.bar").count() == 30
    assert await page.locator("svg.chart").nth(1).locator("rect.bar").count() == 2  # models
    assert re.search(r"Today\s+\S+\s+3 answers", await page.inner_text("table.spend"))
    heights = (
        await page.locator("svg.chart")
        .first.locator("rect.bar")
        .evaluate_all("bars => bars.map(b => Number(b.getAttribute('height')))")
    )
    assert len(set(heights)) > 3  # an uneven month, drawn as one
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 33, 43)"  # the system's dark scheme, without Telegram
    await screenshot(page, "owner-usage-dark")
    await page.click("#tabs button[data-page=owner-status]")
    await page.wait_for_selector("pre.report")
    assert "backend: responses" in await page.inner_text("pre.report")
    await screenshot(page, "owner-status-dark")


async def test_delete_everything_asks_first_then_signs_out(
    browser: Any,
    web_bot: RunningBot,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    alice.say("Something to forget")
    await alice.replies(1)
    page = await signed_in_page(browser, alice, telegram)
    questions: list[str] = []

    async def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    page.on("dialog", lambda dialog: asyncio.ensure_future(answer(dialog)))
    await page.click("#tabs button[data-page=settings]")
    await screenshot(page, "settings")
    await page.click("form[data-action=forget] button")

    await page.wait_for_selector("#toast:has-text('deleted')")
    assert questions and "cannot be undone" in questions[0]
    assert openai_server.turns[0].conversation in openai_server.deleted
    assert await page.locator("#tabs button").count() == 0


async def test_the_mini_app_page_opened_outside_telegram_says_where_to_open_it(
    browser: Any, web_bot: RunningBot
) -> None:
    page = await browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.route(  # a browser, not Telegram: the script is there but no launch data
        TELEGRAM_SCRIPT,
        lambda route: route.fulfill(content_type="text/javascript", body=""),
    )

    await page.goto(f"{base_of(web_bot)}/mini-app")

    refusal = await page.wait_for_selector("#refused")
    assert "menu button in Telegram" in await refusal.inner_text()
