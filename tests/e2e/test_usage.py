"""Usage and budgets against the fakes: what the ledger records for each backend, and budgets
that hold with parallel turns, missing usage, stops and restarts."""

from __future__ import annotations

import asyncio
import math
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.texts import ENGLISH, render
from bot.usage.budgets import BudgetHit
from bot.usage.notices import budget_reached, money
from storage import LedgerRow
from tests.conftest import (
    GROUP,
    ConfigFactory,
    Person,
    StartBot,
    both_engines,
    responses_only,
    stored,
)
from tests.fakes.openai_model import SNAPSHOT
from tests.fakes.openai_server import FakeOpenAI, Reply, error_body
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram
from tests.running_bot import RunningBot

# The whole module on both database engines: what it stores, PostgreSQL keeps alike.
pytestmark = both_engines

LUNA = {"OPENAI_MODEL": "gpt-6-luna"}  # priced in the bundled table: $0.10 / 0.01 / 0.50 per 1M


def luna_micros(input_tokens: int, cached: int, written: int, output: int) -> int:
    plain = input_tokens - cached - written
    return math.ceil(plain * 0.10 + cached * 0.01 + written * 0.125 + output * 0.50 - 1e-9)


async def row_for(bot: RunningBot, person: Person, message: dict[str, object]) -> LedgerRow:
    row = await bot.services.store.ledger.row(person.chat_id, int(str(message["message_id"])))
    assert row is not None
    return row


async def test_each_answer_is_recorded_with_every_token_category(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    backend: str,
) -> None:
    bot = await start_bot(make_config(LUNA))
    alice.say("First question, a long one: " + "and more " * 500)  # a prompt to cache
    await alice.replies(2)  # the echo comes back in two messages
    second = alice.say("Second question, with history behind it")
    await alice.replies(3)

    row = await row_for(bot, alice, second)
    turn = openai_server.turns[1]
    billed = turn.billed  # what the fake API reported
    prompt, cached, written = billed.input, billed.cached, billed.written
    reasoning = billed.reasoning
    if backend == "assistants":  # runs report no cache or reasoning details
        cached, written, reasoning = 0, 0, 0
    else:  # the first exchange (over 1,024 tokens) is read from the cache, the rest written
        assert cached > 1024 and written > 0
    assert (row.state, row.source, row.user_id, row.backend) == (
        "settled",
        "reported",
        alice.user["id"],
        backend,
    )
    assert row.model == ("gpt-6-luna" if backend == "chat" else f"gpt-6-luna{SNAPSHOT}")
    usage = row.usage
    assert (usage.input_tokens, usage.cached_tokens) == (prompt, cached)
    assert usage.cache_write_tokens == written
    assert (usage.output_tokens, usage.reasoning_tokens) == (billed.output, reasoning)
    assert row.cost_micros == luna_micros(prompt, cached, written, billed.output) > 0
    assert row.priced and row.price_ref and row.price_ref.startswith("bundled")


@responses_only
async def test_a_stopped_turn_reporting_no_usage_is_billed_by_estimate(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    bot = await start_bot(make_config(LUNA))
    openai_server.replies.append(Reply(text="Once upon a time " * 40, chunks=40, chunk_delay=0.1))
    message = alice.say("Tell me a long story")
    await telegram.wait_until(lambda: telegram.drafts)
    telegram.push_update(
        {
            "stopped_message_generation": {
                "chat": alice.chat,
                "draft_id": telegram.drafts[0].draft_id,
            }
        }
    )
    [text] = await alice.replies(1)

    row = await row_for(bot, alice, message)
    assert (row.state, row.source) == ("settled", "estimated")
    written = text.removesuffix(ENGLISH.answer_stopped).strip()
    assert row.usage.output_tokens >= len(written.encode()) // 3
    assert row.usage.input_tokens > 0 and row.cost_micros > 0  # the model read the input


@responses_only
async def test_a_used_up_budget_refuses_without_calling_the_model_or_typing(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    # 500 micro-dollars: the first answer (1,000 output tokens, $0.0005) uses it all.
    bot = await start_bot(make_config({**LUNA, "BUDGET_PER_USER": "0.0005/day"}))
    openai_server.replies.append(Reply(text="x" * 4000))
    alice.say("Write a lot")
    await alice.replies(1)
    [first_request] = openai_server.requests_to("POST", "/responses")
    typing_before = len(telegram.calls_to("sendChatAction", alice.chat_id))

    alice.say("And more")
    replies = await alice.replies(3)  # the answer, "100 % used", and the refusal

    assert first_request["max_output_tokens"] < 4096  # lowered to what the budget affords
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    hit = BudgetHit("user", "day", 500, midnight + timedelta(days=1))
    assert replies[1].startswith("📊 your daily budget is 100% used")
    assert replies[2] == budget_reached(hit, ENGLISH)
    assert "your daily budget ($0.0005) is used up" in replies[2]
    assert len(openai_server.turns) == 1  # no model call
    assert len(telegram.calls_to("sendChatAction", alice.chat_id)) == typing_before
    await bot.stop()  # what follows the refusal (clearing it from the inbox) has finished
    async with stored(bot.config) as store:
        assert await store.inbox.count() == 0


@responses_only
async def test_two_parallel_turns_cannot_jointly_pass_a_budget(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    # $0.003: one turn may write 4,000 tokens ($0.002), so two at once cannot both.
    config = make_config({**LUNA, "BUDGET_TOTAL": "0.003/day", "MAX_OUTPUT_TOKENS": "4000"})
    await start_bot(config)
    thinking = asyncio.Event()
    openai_server.replies.append(Reply(hold=thinking))
    alice.say("A long answer, please")
    await telegram.wait_until(lambda: len(openai_server.model.turns) >= 1)
    bob.say("Me too")
    await telegram.wait_until(lambda: len(openai_server.model.turns) >= 2)
    thinking.set()
    await alice.replies(1)
    await bob.replies(1)

    caps = [
        body.get("max_output_tokens") for body in openai_server.requests_to("POST", "/responses")
    ]
    assert caps[0] == 4000
    assert caps[1] is not None and caps[1] < 2000  # what was left after alice's reservation
    assert (caps[0] + caps[1]) * 0.50 <= 3000


@responses_only
async def test_an_answer_passing_the_warning_threshold_says_so_once(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    await start_bot(make_config({**LUNA, "BUDGET_PER_USER": "0.001/day", "BUDGET_WARN_AT": "50"}))
    openai_server.replies.append(Reply(text="y" * 2400))  # 601 output tokens: ~$0.0003
    openai_server.replies.append(Reply(text="y" * 2400))
    alice.say("one")
    await alice.replies(1)
    alice.say("two")  # passes 50 %
    replies = await alice.replies(3)
    alice.say("three")
    replies = await alice.replies(4)

    warning = re.fullmatch(
        r"📊 your daily budget is (\d+)% used \(\$[\d.]+ of \$0\.0010\)\.", replies[2]
    )
    assert warning is not None and 50 <= int(warning[1]) < 100
    assert not replies[3].startswith("📊")


@responses_only
async def test_a_restart_mid_turn_records_the_message_once(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    config = make_config(LUNA, shutdown_grace=0.0)
    first = await start_bot(config)
    openai_server.replies.append(Reply(hold=asyncio.Event()))  # never finishes on its own
    message = alice.say("Answer me across a restart")
    await telegram.wait_until(lambda: len(openai_server.model.turns) >= 1)
    await first.stop()
    openai_server.model.release_all()

    bot = await start_bot(config)
    await alice.replies(1, within=20)

    row = await row_for(bot, alice, message)
    totals = await bot.services.store.ledger.totals(
        [("user", str(alice.user["id"]), f"M{row.month}")]
    )
    assert row.state == "settled"
    assert totals[("user", str(alice.user["id"]), f"M{row.month}")].answers == 1


@responses_only
@pytest.mark.parametrize("setting", ["BUDGET_PER_USER=3/week", "BUDGET_USERS=10/day"])
def test_a_malformed_budget_is_a_config_error(make_config: ConfigFactory, setting: str) -> None:
    name, _, value = setting.partition("=")
    with pytest.raises(ValueError, match=name):
        make_config({name: value})


@responses_only
def test_a_budget_on_a_model_without_a_price_is_a_config_error(make_config: ConfigFactory) -> None:
    openai = {"OPENAI_BASE_URL": "https://api.openai.com/v1"}  # a local server's models are free
    with pytest.raises(ValueError, match="budgets need a price for OPENAI_MODEL=gpt-test"):
        make_config({**openai, "BUDGET_TOTAL": "5/month"})


@responses_only
async def test_usage_shows_today_and_the_month_against_the_budgets(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person
) -> None:
    bot = await start_bot(make_config({**LUNA, "BUDGET_PER_USER": "0.50/day,5/month"}))
    question = alice.say("Hello")
    await alice.replies(1)
    cost = money((await row_for(bot, alice, question)).cost_micros)

    alice.say("/usage")
    report = (await alice.replies(2))[1].splitlines()

    assert report[0] == "📊 Your usage"
    assert report[1] == f"Today: {cost} of $0.50 · answers: 1"
    assert report[2] == f"This month: {cost} of $5.00 · answers: 1"
    row = await row_for(bot, alice, question)
    size = await bot.services.store.ledger.conversation_tokens(
        alice.chat_id, 0, str(row.conversation_id)
    )
    assert size is not None
    assert report[3] == render(
        ENGLISH.usage_conversation_budget, tokens=f"{size:,}", budget="8,000"
    )


@responses_only
async def test_usage_in_a_group_shows_the_group_and_the_asker_s_share(
    start_bot: StartBot,
    make_config: ConfigFactory,
    carol: Person,
    dave: Person,
    group: dict[str, object],
    telegram: FakeTelegram,
) -> None:
    await start_bot(make_config({**LUNA, "BUDGET_PER_CHAT": "2/day"}))
    carol.say_in(group, f"@{BOT_USERNAME} what should we cook?")
    await telegram.wait_for_messages(GROUP, 1)
    dave.say_in(group, f"/usage@{BOT_USERNAME}")

    report = (await telegram.wait_for_messages(GROUP, 2))[1].splitlines()

    assert report[0] == "📊 This chat's usage"
    assert report[1].startswith("Today: $0.0") and report[1].endswith("of $2.00 · answers: 1")
    assert report[3] == "Yours: $0.00 today, $0.00 this month"  # Dave asked nothing yet


@responses_only
async def test_usage_all_is_the_owner_s_whole_picture(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, bob: Person
) -> None:
    await start_bot(make_config({**LUNA, "ADMIN_USERS": str(alice.user["id"])}))
    bob.say("Hi from Bob")
    await bob.replies(1)
    alice.say("Hi from Alice")
    await alice.replies(1)

    alice.say("/usage all")
    bob.say("/usage all")
    report = (await alice.replies(2))[1]
    refused = (await bob.replies(2))[1]

    assert report.startswith("Usage, ")
    assert "· 2 answers" in report and "gpt-6-luna" in report
    top_users = report.split("top users this month:")[1].split("top chats")[0]
    assert str(alice.user["id"]) in top_users and str(bob.user["id"]) in top_users
    assert refused == ENGLISH.usage_owners_only


@responses_only
async def test_used_up_credit_pauses_model_calls_tells_the_owner_once_and_recovers(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    pause = 0.5
    owner_chat = bob.chat_id
    bot = await start_bot(make_config({"ERROR_CHAT_ID": str(owner_chat)}, quota_pause=pause))
    quota = error_body(
        "You exceeded your current quota, please check your plan and billing details.",
        type="insufficient_quota",
        code="insufficient_quota",
    )
    openai_server.fail("POST", "/responses", 429, quota, count=1)
    alice.say("first")
    alice.say("second")  # during the pause: told at once, no call

    replies = await alice.replies(2)
    notices = await telegram.wait_for_messages(owner_chat, 1)
    calls = len(openai_server.requests_to("POST", "/responses"))
    await asyncio.sleep(pause)  # the pause is time itself: nothing to wait on but the clock
    alice.say("third")
    answer = (await alice.replies(3))[2]

    assert replies == [ENGLISH.quota_exhausted] * 2
    assert calls == 1
    assert len(notices) == 1 and "credit is used up" in notices[0]
    assert answer.endswith("to: third")
    assert "credit is used up" in await bot.services.status()  # the last error line


@responses_only
async def test_the_optional_footer_ends_each_answer_with_its_cost(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person
) -> None:
    bot = await start_bot(make_config({**LUNA, "USAGE_FOOTER": "true"}))
    question = alice.say("What does this cost?")

    [answer] = await alice.replies(1)

    cost = money((await row_for(bot, alice, question)).cost_micros)
    assert answer.endswith(f"to: What does this cost?\n\n{cost}")


@responses_only
async def test_the_owner_hears_once_that_the_bot_s_total_budget_is_used_up(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    carol: Person,
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
) -> None:
    env = {**LUNA, "BUDGET_TOTAL": "0.0005/day", "ERROR_CHAT_ID": str(carol.chat_id)}
    await start_bot(make_config(env))
    openai_server.replies.append(Reply(text="x" * 4000))  # uses the whole day's budget
    alice.say("Write a lot")
    await alice.replies(2)  # the answer and "100 % used"

    alice.say("More?")
    bob.say("And me?")
    [refused_alice] = (await alice.replies(3))[2:]
    [refused_bob] = await bob.replies(1)
    notices = await telegram.wait_for_messages(carol.chat_id, 1)

    assert "the bot's daily budget ($0.0005) is used up" in refused_alice
    assert "the bot's daily budget ($0.0005) is used up" in refused_bob
    assert len(notices) == 1 and notices[0].startswith("⚠️ BUDGET_TOTAL's day budget ($0.0005)")
    assert len(openai_server.turns) == 1


@responses_only
async def test_a_budget_refuses_a_drawing_or_a_code_run_it_cannot_afford_before_paying(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    """A drawing is reserved at about $0.03 (medium quality) and a code turn at a container
    session ($0.03): a $0.02 daily budget affords text, but neither of them."""
    env = {**LUNA, "BUDGET_PER_USER": "0.02/day", "IMAGE_COMMAND": "on"}
    await start_bot(make_config(env))
    alice.say("/image a lighthouse")
    [refused_image] = await alice.replies(1)
    alice.say("/persona math_tutor")
    await alice.replies(2)
    alice.say("what is 2**100?")
    [*_, refused_code] = await alice.replies(3)
    alice.say("/persona assistant")
    await alice.replies(4)
    alice.say("hello")
    [*_, answer] = await alice.replies(5)

    assert "your daily budget ($0.02) is used up" in refused_image
    assert "your daily budget ($0.02) is used up" in refused_code
    assert [t.input for t in openai_server.turns] == ["hello"]
    assert answer == openai_server.turns[0].text


@responses_only
async def test_usage_counts_the_tools_a_person_used_this_month(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, openai_server: FakeOpenAI
) -> None:
    await start_bot(make_config({**LUNA, "IMAGE_COMMAND": "on"}))
    alice.say("/image a lighthouse")
    await alice.captions(1)
    alice.say("/persona researcher")
    await alice.replies(1)
    openai_server.replies.append(Reply(text="Sunny.", sources=[("Weather", "https://w.example")]))
    alice.say("weather?")
    await alice.replies(2)

    alice.say("/usage")
    report = (await alice.replies(3))[2].splitlines()

    assert "Your tools this month: 🎨 images 1 · 🔎 web searches 1" in report


@responses_only
async def test_usage_all_counts_the_bot_s_tools_this_month(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, bob: Person
) -> None:
    env = {**LUNA, "IMAGE_COMMAND": "on", "ADMIN_USERS": str(alice.user["id"])}
    await start_bot(make_config(env))
    bob.say("/image a red kite")
    await bob.captions(1)

    alice.say("/usage all")
    [report] = await alice.replies(1)

    assert (
        "tools this month: images 1 · code sessions 0 · web searches 0"
        " · document searches 0 · audio transcribed 0.0 min" in report.splitlines()
    )
