"""The bill of a long chat (issue 26): one private chat of 80 turns (40-word messages, 60-word
answers) against the fake OpenAI, whose bills are deterministic (`tests/fakes/billing.py`: the
prompt the model reads, through a prompt cache that expires after idle minutes unless a longer
retention is asked for). The fact given at turn 2 is asked for at turn 80.

Each backend (Responses; Chat Completions) is run as three bots:
- **resend**: no compaction, no retention asked for; priced as if nothing were ever cached —
  on Responses the bot that re-sends everything, the reference for both backends (the chat
  backend's drops the oldest turns at its window instead, and forgets);
- **in-memory cache**: no compaction, no retention asked for (the bot before issue 26);
- **12 h cache**: no compaction, 12 h retention (caching alone);
- **default**: the product's defaults (compaction past CONTEXT_BUDGET_TOKENS, 12 h retention);
back to back, and with a family chat's gaps (20 idle minutes after every 5 turns: the fakes'
clock is moved, nothing sleeps). The bot runs in this process with Telegram's pacing relaxed:
what is measured is tokens and money, not time.

Figures: the billed input of turns 11-20 and 71-80 (per turn, in input-token equivalents:
cached tokens at their price, written ones at theirs, a compaction pass in the turn it
preceded), their ratio, the whole chat's cost against the resend bot, the passes, and whether
turn 80 still knows the fact. Goals: turns 71-80 at most 1.5x turns 11-20; the cost with gaps at
most 0.15x the resend bot's; the fact kept (Responses and chat backends).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import FloodLimits, load_config
from bot.usage.prices import Price, load_prices
from storage import TokenUsage
from tests.fakes.billing import text_tokens
from tests.fakes.openai_model import Turn, default_answer
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot

TURNS = 80
GAP_AFTER, GAP_SECONDS = 5, 20 * 60
MODEL = "gpt-6-luna"  # priced in the bundled table
FACT_TURN, FACT, QUESTION = 2, "My dog is called Pixel.", "What is my dog called?"
RELAXED = FloodLimits(overall=(1000, 1.0), per_chat=(100, 1.0), per_group=(100, 1.0))
BOTS: dict[str, dict[str, str]] = {
    "resend": {"CONTEXT_BUDGET_TOKENS": "off", "PROMPT_CACHE_TTL": "off"},
    "in-memory cache": {"CONTEXT_BUDGET_TOKENS": "off", "PROMPT_CACHE_TTL": "off"},
    "12 h cache": {"CONTEXT_BUDGET_TOKENS": "off"},
    "default": {},
}


def message(n: int) -> str:
    """Turn `n`'s message: 40 words, the fact at turn 2, the question at the last."""
    if n == FACT_TURN:
        lead = FACT
    elif n == TURNS:
        lead = QUESTION
    else:
        lead = f"Message {n}."
    words = lead.split()
    return " ".join([*words, *(f"talk{n}x{k}" for k in range(40 - len(words)))])


def answer(turn: Turn) -> str:
    """The fake model: 60 words; asked about the dog, what its context says (or that it does
    not know); asked to summarise (the chat backend's compaction), a summary."""
    if _is_pass(turn):
        return default_answer(turn)
    if QUESTION.lower() in turn.input.lower():
        context = "\n".join([turn.instructions, *turn.history])
        known = re.search(r"dog is called (\w+)", context)
        return f"Your dog is called {known[1]}." if known else "I do not know your dog's name."
    return " ".join(["Answer", *(f"said{turn.sequence}x{k}" for k in range(59))])


@dataclass
class Run:
    """One bot's chat, as the fake billed it."""

    per_turn: list[float]  # billed input per turn (and its compaction pass), in input tokens
    raw_per_turn: list[int]  # input tokens per turn (what the model read)
    micros: float  # the whole chat's cost, answers' output included
    passes: int  # compaction passes
    remembers: bool  # turn 80 knew the dog's name


async def chat(backend: str, bot: str, gaps: bool, workdir: Path) -> Run:
    telegram, openai = FakeTelegram(), FakeOpenAI()
    await telegram.start()
    await openai.start()
    openai.model.answer_for = answer
    env = {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "OPENAI_API_KEY": openai.api_key,
        "OPENAI_BASE_URL": openai.base_url,
        "TELEGRAM_BASE_URL": telegram.root_url,
        "DATABASE_PATH": str(workdir / f"{backend}-{bot}-{gaps}.sqlite3"),
        "OPENAI_MODEL": MODEL,
        "ALLOWED_USERS": "*",
        "LOG_LEVEL": "WARNING",
        "BOT_BACKEND": backend,
        "REPLY_MODE": "poll",
        **BOTS[bot],
    }
    config = dataclasses.replace(load_config(env), flood_limits=RELAXED)
    running = RunningBot(config, telegram)
    await running.start()
    user = telegram.user(7, "Ada")
    chat_ = telegram.private_chat(user)
    # Each turn's model calls: a compaction pass (chat backend) joins the answer it preceded.
    calls: list[list[Turn]] = []
    try:
        for n in range(1, TURNS + 1):
            before = len(openai.turns)
            telegram.push_message(chat_, user, message(n))
            await telegram.wait_for_messages(chat_["id"], n, within=30)
            calls.append(openai.turns[before:])
            if gaps and n % GAP_AFTER == 0:
                openai.model.cache.clock.advance(GAP_SECONDS)
        last = telegram.sent_texts(chat_["id"])[-1]
        api = openai.responses_api
        # What a server-side pass wrote (billed as output of the response it preceded).
        summaries = {
            r.turn.remote_id: text_tokens(api.compactions[str(r.compaction["id"])])
            for r in api.responses.values()
            if r.compaction
        }
        passes = len(summaries) + sum(1 for t in openai.turns if _is_pass(t))
    finally:
        await running.stop()
        await openai.stop()
        await telegram.stop()
    price = load_prices(None, local=False).lookup(MODEL)
    assert price is not None
    priced = _uncached(price) if bot == "resend" else price

    def billed(t: Turn) -> float:
        """The call's input, and the output of a compaction pass, in input tokens."""
        written = summaries.get(t.remote_id, 0) + (t.billed.output if _is_pass(t) else 0)
        return _input_equivalent(t, priced) + written * priced.output / priced.input

    return Run(
        per_turn=[sum(billed(t) for t in turn) for turn in calls],
        raw_per_turn=[sum(t.billed.input for t in turn) for turn in calls],
        micros=sum(priced.cost_micros(_usage(t)) for turn in calls for t in turn),
        passes=passes,
        remembers="Pixel" in last,
    )


def _is_pass(turn: Turn) -> bool:
    """The chat backend's summarising call (the Responses API compacts inside a response)."""
    return "summarise the conversation" in turn.instructions.lower()


def _usage(turn: Turn) -> TokenUsage:
    billed = turn.billed
    return TokenUsage(billed.input, billed.output, billed.cached, billed.reasoning, billed.written)


def _uncached(price: Price) -> Price:
    """The price as a bot that re-sends everything pays it: every input token at full price."""
    return dataclasses.replace(price, cached_input=price.input, cache_write=price.input)


def _input_equivalent(turn: Turn, price: Price) -> float:
    """The turn's input bill in plain-input tokens (cached and written ones at their price)."""
    billed, write = turn.billed, price.cache_write or price.input
    plain = billed.input - billed.cached - billed.written
    return plain + (billed.cached * price.cached_input + billed.written * write) / price.input


async def measure(workdir: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    everything: Run | None = None  # the Responses bot that re-sends all: the reference
    for backend in ("responses", "chat"):
        resend = await chat(backend, "resend", gaps=False, workdir=workdir)
        everything = everything or resend
        figures[backend] = {"resend": _figures(resend, everything)}
        for name in ("in-memory cache", "12 h cache", "default"):
            for gaps in (False, True):
                run = await chat(backend, name, gaps=gaps, workdir=workdir)
                label = f"{name}, {'with gaps' if gaps else 'back to back'}"
                figures[backend][label] = _figures(run, everything)
    return figures


def _figures(run: Run, resend: Run) -> dict[str, Any]:
    """`resend`: the bot that re-sends the whole conversation uncached (Responses', whose
    conversation grows unbounded; the chat backend's own drops turns at the window)."""
    early, late = run.per_turn[10:20], run.per_turn[70:80]
    return {
        "billed_input_11_20": round(sum(early) / len(early)),
        "billed_input_71_80": round(sum(late) / len(late)),
        "late_over_early": round(sum(late) / sum(early), 2),
        "read_11_20": round(sum(run.raw_per_turn[10:20]) / 10),
        "read_71_80": round(sum(run.raw_per_turn[70:80]) / 10),
        "input_bill_vs_resend": round(sum(run.per_turn) / sum(resend.per_turn), 3),
        "cost_micros": round(run.micros),
        "cost_vs_resend": round(run.micros / resend.micros, 3),
        "compactions": run.passes,
        "remembers_turn_2_at_80": run.remembers,
    }


def table(figures: dict[str, Any]) -> str:
    lines = [
        "| backend | bot | billed input/turn 11-20 | 71-80 | ratio | read 71-80 |"
        " input bill vs resend | all costs vs resend | passes | fact at 80 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for backend, runs in figures.items():
        for name, f in runs.items():
            lines.append(
                f"| {backend} | {name} | {f['billed_input_11_20']:,} | {f['billed_input_71_80']:,}"
                f" | {f['late_over_early']} | {f['read_71_80']:,} | {f['input_bill_vs_resend']}"
                f" | {f['cost_vs_resend']}"
                f" | {f['compactions']} | {'kept' if f['remembers_turn_2_at_80'] else 'lost'} |"
            )
    return "\n".join(lines)


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as workdir:
        figures = asyncio.run(measure(Path(workdir)))
    print(table(figures), flush=True)
    return figures


if __name__ == "__main__":
    run()
