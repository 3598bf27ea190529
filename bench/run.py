"""Telethread benchmark: what the bot adds on top of the model, on loopback fakes.

Starts the fake Telegram Bot API (enforcing Telegram's flood limits: 429 beyond them) in this
process and the fake OpenAI API (a model with a set time to first token and token rate, varied
per turn) in a child process, runs the real bot process (`python -m bot`) against them, drives
private chats (whose users pause between messages, or answer at once) and a forum group where
several people write at once, and reports:
ack latency, first-text latency, delivery overhead, the longest gap without visible activity,
calls per message, wall time against the floor Telegram's limits set, lost and reordered
answers, 429s received, CPU seconds per 1,000 messages and peak RSS.

    ./run.sh bench                      # everything (about ten minutes)
    ./run.sh bench --only group,poll    # these scenarios only (names below; "text": all eight)
    ./run.sh bench --only ledger        # the ledger: metering per turn, /usage all at 1M rows
    ./run.sh bench --only media         # media: photo/voice/album overhead, 20 x 20 MB files
    ./run.sh bench --only tools         # tools: charts and drawings, model done → in the chat
    ./run.sh bench --only owner-tools   # an MCP call, a file search, start-up with 200 documents
    ./run.sh bench --only processes --database postgres   # 1/2/4 processes; restart, kill, stall
    ./run.sh bench --chats 1000 --messages 3 --mode stream

Every run writes what it measured to bench/results/latest.json (or --out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import Databases, databases  # noqa: E402
from bench.fleet import Fleet  # noqa: E402
from bot.delivery.flood_budget import Bucket, Meter, Window  # noqa: E402
from tests.fakes.telegram_server import (  # noqa: E402
    BOT_USERNAME,
    Call,
    FakeTelegram,
    FloodRules,
)

VISIBLE = ("sendChatAction", "sendMessageDraft", "sendMessage", "editMessageText")
TELEGRAM_FLOOR_RATE = 30.0  # messages a second: the overall limit


@dataclass
class Scenario:
    key: str  # what --only names
    name: str
    chats: int  # private chats, or in a group scenario the people (each in a topic of its own)
    messages: int
    mode: str  # stream | poll
    ttft: float = 0.8  # model: seconds to first token
    tokens_per_second: float = 60.0
    answer_tokens: int = 150
    jitter: float = 0.25  # model: each turn's ttft and rate vary by up to this share
    think: tuple[float, float] = (1.0, 3.0)  # users: seconds between an answer and the next message
    group: bool = False  # everyone writes in one forum group, each in a topic of their own
    actions_share_limit: bool = False  # bot and fake: typing and drafts count toward the 30/s
    seed: int = 7
    charts: int = 0  # model: each turn runs code that writes this many charts (tool turns)
    mcp_calls: int = 0  # model: this many messages each call one of the owner's tools first
    processes: int = 1  # bot processes (more than one: on PostgreSQL)
    webhook: bool = False  # Telegram posts updates through a round-robin proxy to them
    disrupt: str | None = None  # "rolling" | "kill" | "stall": done to the processes mid-run


@dataclass
class Result:
    scenario: Scenario
    messages: int
    answered: int
    lost: int
    reordered: int
    wall_seconds: float
    floor_seconds: float | None
    round_trip_ms: float
    ack_ms: dict[str, float]
    first_text_ms: dict[str, float]
    delivery_ms: dict[str, float]
    beyond_group_budget_ms: dict[str, float]
    longest_gap_s: float
    telegram_429s: int
    openai_calls_per_message: dict[str, float]
    telegram_calls_per_message: dict[str, float]
    cpu_s_per_1000: float
    peak_rss_mb: float
    notes: list[str] = field(default_factory=list)
    duplicates: int = 0  # answers sent more than once
    most_in_a_second: int = 0  # messages to users in the busiest second (Telegram: ~30)
    # After the disruption: from its moment, the longest a message waited for a first sign of
    # life, and how long until the first answer sent after it.
    disrupted_ack_s: float | None = None
    first_answer_after_s: float | None = None


@dataclass
class Conversation:
    """One person's conversation with the bot: a private chat, or their topic in the group."""

    number: int
    chat: dict[str, Any]
    user: dict[str, Any]
    topic: int | None = None
    pushes: list[float] = field(default_factory=list)
    visible: list[Call] = field(default_factory=list)  # what the bot showed here, as it came
    answers: list[Call] = field(default_factory=list)
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.chat["id"], self.topic)

    def text(self, n: int) -> str:
        mention = f"@{BOT_USERNAME} " if self.topic is not None else ""
        return f"{mention}chat {self.number} message {n}"


class OpenAIProcess:
    """The fake OpenAI server, run by `bench/fake_openai.py` in its own process."""

    def __init__(self, process: asyncio.subprocess.Process, address: dict[str, str]) -> None:
        self._process = process
        self.base_url = address["base_url"]
        self.api_key = address["api_key"]

    @classmethod
    async def start(cls, scenario: Scenario) -> OpenAIProcess:
        model = {
            "ttft": scenario.ttft,
            "tokens_per_second": scenario.tokens_per_second,
            "answer_tokens": scenario.answer_tokens,
            "jitter": scenario.jitter,
            "seed": scenario.seed,
            "charts": scenario.charts,
            "mcp_calls": scenario.mcp_calls,
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.fake_openai", json.dumps(model), cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        return cls(process, json.loads(line))

    async def stop(self) -> dict[str, Any]:
        """Close its stdin; it answers with what the model did and the requests it received."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.close()
        report = await asyncio.wait_for(self._process.stdout.read(), 60)
        await asyncio.wait_for(self._process.wait(), 30)
        return dict(json.loads(report))


async def measure_round_trip(telegram: FakeTelegram, samples: int = 50) -> float:
    """Median seconds for one request to the fake Telegram and back: the floor of any latency."""
    url = f"{telegram.root_url}/bot{telegram.token}/getMe"
    times = []
    async with aiohttp.ClientSession() as session:
        for _ in range(samples):
            started = time.monotonic()
            async with session.post(url) as response:
                await response.read()
            times.append(time.monotonic() - started)
    return sorted(times)[samples // 2]


def bot_env(telegram: FakeTelegram, openai_server: OpenAIProcess, database: Path) -> dict[str, str]:
    """The bot process's environment, pointed at the fakes."""
    return {
        "PATH": os.environ.get("PATH", ""),
        # The bot's imports as in production (see production_site/sitecustomize.py).
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench" / "production_site"), str(ROOT)]),
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "OPENAI_API_KEY": openai_server.api_key,
        "OPENAI_BASE_URL": openai_server.base_url,
        "TELEGRAM_BASE_URL": telegram.root_url,
        "DATABASE_PATH": str(database),
        "OPENAI_MODEL": "bench-model",
        "ALLOWED_USERS": "*",
    }


def open_log(path: Path) -> BinaryIO:
    """The bot's stderr goes to a file, not a pipe: a pipe nobody reads fills and freezes it."""
    return path.open("wb")


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "max": pick(1.0)}


GROUP_ID = -1001000000001


def conversations(scenario: Scenario, telegram: FakeTelegram) -> list[Conversation]:
    people = [telegram.user(n, f"User{n}") for n in range(1, scenario.chats + 1)]
    if scenario.group:
        group = telegram.group_chat(GROUP_ID, "Bench team", forum=True)
        return [Conversation(n, group, user, topic=100 + n) for n, user in enumerate(people, 1)]
    return [Conversation(n, telegram.private_chat(u), u) for n, u in enumerate(people, 1)]


async def run(scenario: Scenario, workdir: Path, where: Databases | None = None) -> Result:
    try:
        return await _run(scenario, workdir, where)
    except Exception:  # said now: the fakes' tasks left behind may take long to cancel
        traceback.print_exc()
        raise


async def _run(scenario: Scenario, workdir: Path, where: Databases | None) -> Result:
    rules = FloodRules(actions=None) if scenario.actions_share_limit else FloodRules()
    telegram = FakeTelegram(flood=rules)
    await telegram.start()
    round_trip = await measure_round_trip(telegram)
    openai_server = await OpenAIProcess.start(scenario)
    rng = random.Random(scenario.seed)  # the users' pauses
    talks = conversations(scenario, telegram)
    by_key = {talk.key: talk for talk in talks}

    def on_call(call: Call) -> None:
        chat = call.params.get("chat_id")
        if not call.ok or not isinstance(chat, int) or call.method not in VISIBLE:
            return
        talk = by_key.get((chat, call.params.get("message_thread_id")))
        if talk is None:
            return
        talk.visible.append(call)
        if call.method == "sendMessage":
            talk.answers.append(call)
            if len(talk.answers) >= len(talk.pushes):
                talk.answered.set()

    telegram.listeners.append(on_call)
    base_env = {
        **bot_env(telegram, openai_server, workdir / f"{_slug(scenario.name)}.sqlite3"),
        **(where or Databases()).env(),
        "ALLOWED_CHATS": "*",
        "REPLY_MODE": scenario.mode,
        "TELEGRAM_ACTIONS_SHARE_LIMIT": str(scenario.actions_share_limit).lower(),
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }
    fleet = Fleet(scenario, base_env, workdir)
    if scenario.webhook:
        await fleet.start_proxy()
    for _ in range(scenario.processes):
        await fleet.start()
    await telegram.wait_until(lambda: len(telegram.commands) == 3, within=30)
    if scenario.processes > 1 or scenario.disrupt:
        await asyncio.gather(*(fleet.started(p) for p in fleet.processes))
    fleet.ready()

    async def converse(talk: Conversation) -> None:
        for n in range(scenario.messages):
            if n and scenario.think[1] > 0:  # people read the answer before they write again
                await asyncio.sleep(rng.uniform(*scenario.think))
            talk.answered.clear()
            talk.pushes.append(time.monotonic())
            telegram.push_message(talk.chat, talk.user, talk.text(n), topic_id=talk.topic)
            await talk.answered.wait()

    total = scenario.chats * scenario.messages
    floor = None if scenario.group else total / TELEGRAM_FLOOR_RATE
    limit = max(60.0, (floor or 0) * 3 + scenario.messages * 10 + total * 3 * scenario.group)
    started = time.monotonic()
    notes = []
    disrupted_at: list[float] = []
    disruption = asyncio.ensure_future(fleet.disrupt(disrupted_at))
    try:
        await asyncio.wait_for(asyncio.gather(*(converse(talk) for talk in talks)), limit)
    except TimeoutError:
        notes.append(f"stopped after {limit:.0f} s with answers missing")
        missing = [talk for talk in talks if not talk.answered.is_set()]
        notes.append(
            f"waiting chats {[t.key for t in missing[:20]]}; undelivered updates "
            f"{[u['update_id'] for u in telegram._updates][:50]}, "
            f"offset {telegram.confirmed_offset}"
        )
        for talk in missing[:3]:  # what the bot did there, to tell why
            there = [
                f"{c.method} {str(c.params.get('text', ''))[:40]!r} ok={c.ok}"
                for c in telegram.calls if c.params.get("chat_id") == talk.chat["id"]
            ][-8:]  # fmt: skip
            notes.append(f"chat {talk.key}: pushed {len(talk.pushes)}, last calls {there}")
    wall = time.monotonic() - started
    await disruption
    cpu, peak_rss = fleet.cost()
    notes += await fleet.stop()

    model_report = await openai_server.stop()
    turns = {_marker(t["input"]): t for t in model_report["turns"]}
    ack, first_text, delivery, gaps = [], [], [], []
    slowest: tuple[Conversation, int, float] | None = None
    finished_and_sent: list[tuple[float, float]] = []
    lost = reordered = duplicates = 0
    disrupted_ack: list[float] = []
    for talk in talks:
        calls = talk.answers
        lost += max(0, scenario.messages - len(calls))
        duplicates += max(0, len(calls) - scenario.messages)
        for n, pushed in enumerate(talk.pushes):  # waiting when (or pushed after) it came
            # A message still without its first sign of life when the disruption began (or
            # pushed after): how long until it got one. (One already showing its answer is in
            # "longest gap without activity".)
            if disrupted_at and n < len(calls) and calls[n].at >= disrupted_at[0]:
                since = max(pushed, disrupted_at[0])
                if any(pushed <= c.at < since for c in talk.visible):
                    continue
                seen = [c.at for c in talk.visible if c.at >= since]
                disrupted_ack.append(min(seen, default=calls[n].at) - since)
                if disrupted_ack[-1] == max(disrupted_ack):
                    slowest = (talk, n, since)
        replied_to = [c.params["reply_parameters"]["message_id"] for c in calls]
        if replied_to != sorted(replied_to):
            reordered += 1
        for n, answer in enumerate(calls[: scenario.messages]):
            pushed = talk.pushes[n]
            seen = [c.at for c in talk.visible if pushed <= c.at <= answer.at]
            if seen:
                ack.append(seen[0] - pushed)
                gaps.append(max(b - a for a, b in zip([pushed, *seen[:-1]], seen, strict=True)))
            turn = turns.get(f"chat {talk.number} message {n}")
            if turn and turn["finished_at"]:
                delivery.append(answer.at - turn["finished_at"])
                finished_and_sent.append((turn["finished_at"], answer.at))
            words = [  # the first words the user saw: a draft, or else the answer itself
                c.at for c in talk.visible
                if pushed <= c.at <= answer.at and c.params.get("text")
            ]  # fmt: skip
            streamed = scenario.mode == "stream" and not talk.topic
            if turn and turn["first_token_at"] and streamed and words:  # none: a duplicate
                first_text.append(words[0] - turn["first_token_at"])

    if slowest is not None:  # the message that waited longest for a sign of life: how, and why
        talk, n, since = slowest
        shown = [
            f"+{c.at - since:.2f}s {c.method}" for c in talk.visible if c.at >= since - 1.0
        ][:6]  # fmt: skip
        notes.append(
            f"slowest sign of life after the disruption: chat {talk.key} message {n}, "
            f"+{since - disrupted_at[0]:.2f} s into it; then {shown}"
        )
    openai_calls = Counter(_endpoint(method, path) for method, path in model_report["requests"])
    telegram_calls = Counter(c.method for c in telegram.calls if c.params.get("chat_id"))
    await telegram.stop()
    return Result(
        scenario=scenario,
        messages=total,
        answered=total - lost,
        lost=lost,
        reordered=reordered,
        wall_seconds=round(wall, 2),
        floor_seconds=None if floor is None else round(floor, 2),
        round_trip_ms=round(round_trip * 1000, 2),
        ack_ms=percentiles(ack),
        first_text_ms=percentiles(first_text),
        delivery_ms=percentiles(delivery),
        beyond_group_budget_ms=percentiles(beyond_group_budget(finished_and_sent))
        if scenario.group
        else {},
        longest_gap_s=round(max(gaps, default=0.0), 2),
        telegram_429s=telegram.flood_rejections,
        openai_calls_per_message={k: round(v / total, 2) for k, v in openai_calls.items()},
        telegram_calls_per_message={k: round(v / total, 2) for k, v in telegram_calls.items()},
        cpu_s_per_1000=round(cpu / total * 1000, 2),
        peak_rss_mb=round(peak_rss, 1),
        notes=notes,
        duplicates=duplicates,
        most_in_a_second=_busiest_second(telegram),
        disrupted_ack_s=round(max(disrupted_ack), 2) if disrupted_ack else None,
        first_answer_after_s=_first_answer_after(telegram, disrupted_at),
    )


def _busiest_second(telegram: FakeTelegram) -> int:
    """The most messages (sends, edits; not typing or drafts) Telegram took in any 1 s."""
    times = sorted(
        c.at for c in telegram.calls
        if c.ok and c.method in ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")
    )  # fmt: skip
    most, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def _first_answer_after(telegram: FakeTelegram, disrupted_at: list[float]) -> float | None:
    if not disrupted_at:
        return None
    after = [c.at for c in telegram.calls if c.ok and c.method == "sendMessage"
             and c.at >= disrupted_at[0]]  # fmt: skip
    return round(min(after) - disrupted_at[0], 2) if after else None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _marker(model_input: str) -> str:
    """The "chat N message M" a user wrote, wherever the bot put it in the model's input."""
    found = re.search(r"chat \d+ message \d+", model_input)
    return found.group(0) if found else model_input


def beyond_group_budget(finished_and_sent: list[tuple[float, float]]) -> list[float]:
    """How much later than the group's budget required the group's answers were sent.

    Replays the model's finishing times through the bot's default group limits (the chat's
    bucket, the group's 4 in 5 s and its 20 a minute) for the earliest time each slot allowed an
    answer, and compares the k-th answer sent with the k-th slot: what the bot took beyond that
    is its own overhead (such as noticing a finished answer), not Telegram's rules.
    """
    meters: list[Meter] = [Bucket(3, 1.0), Window(4, 5.0), Window(20, 60.0)]
    allowed = []
    for finished in sorted(f for f, _ in finished_and_sent):
        slot = finished + max(meter.wait(finished, 0) for meter in meters)
        for meter in meters:
            meter.record(slot)
        allowed.append(slot)
    sent = sorted(s for _, s in finished_and_sent)
    return [max(0.0, at - slot) for at, slot in zip(sent, allowed, strict=True)]


def _endpoint(method: str, path: str) -> str:
    parts = path.strip("/").split("/")
    shape = "/".join(
        p if not any(p.startswith(x) for x in ("conv_", "resp_", "thread_", "run_")) else "{id}"
        for p in parts
    )
    return f"{method} /{shape}"


def summary(results: list[Result]) -> str:
    """One row per scenario: what a user notices, and what it costs."""
    columns: list[tuple[str, Callable[[Result], str]]] = [
        ("scenario", lambda r: r.scenario.name),
        ("answered / lost", lambda r: f"{r.answered} / {r.lost}"),
        ("ack p50 / p99 ms", lambda r: _p(r.ack_ms, "p50", "p99")),
        ("first text p50 / p99 ms", lambda r: _p(r.first_text_ms, "p50", "p99")),
        ("delivery p50 / p99 ms", lambda r: _p(r.delivery_ms, "p50", "p99")),
        ("429s", lambda r: str(r.telegram_429s)),
        ("wall ÷ floor", _wall_over_floor),
        ("peak RSS MB", lambda r: f"{r.peak_rss_mb}"),
        ("CPU s / 1,000 msgs", lambda r: f"{r.cpu_s_per_1000}"),
    ]  # fmt: skip
    lines = ["| " + " | ".join(label for label, _ in columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    for result in results:
        lines.append("| " + " | ".join(value(result) for _, value in columns) + " |")
    return "\n".join(lines)


def table(results: list[Result]) -> str:
    """Every figure, one column per scenario."""
    rows: list[tuple[str, Callable[[Result], str]]] = [
        ("scenario", lambda r: f"{r.scenario.chats}x{r.scenario.messages} {r.scenario.mode}"
                               + (" group" if r.scenario.group else "")),
        ("answered / lost / reordered", lambda r: f"{r.answered} / {r.lost} / {r.reordered}"),
        ("fake Telegram round trip (ms)", lambda r: f"{r.round_trip_ms}"),
        ("ack latency p50/p95/p99 ms", lambda r: _p(r.ack_ms)),
        ("first text after model's first token p50/p95/p99 ms", lambda r: _p(r.first_text_ms)),
        ("delivery overhead p50/p95/p99 ms", lambda r: _p(r.delivery_ms)),
        ("beyond the group budget p50/p95/p99 ms", lambda r: _p(r.beyond_group_budget_ms)),
        ("longest gap without activity (s)", lambda r: f"{r.longest_gap_s}"),
        ("wall time / floor (s)", lambda r: f"{r.wall_seconds} / {r.floor_seconds} "
                                            f"({_wall_over_floor(r)})"),
        ("429s from Telegram", lambda r: str(r.telegram_429s)),
        ("OpenAI calls per message", lambda r: f"{sum(r.openai_calls_per_message.values()):.2f}"),
        ("Telegram calls per message", lambda r: ", ".join(
            f"{k} {v}" for k, v in sorted(r.telegram_calls_per_message.items()))),
        ("CPU s per 1,000 messages", lambda r: f"{r.cpu_s_per_1000}"),
        ("peak RSS (MB)", lambda r: f"{r.peak_rss_mb}"),
        ("processes / answers sent twice", lambda r: f"{r.scenario.processes} / {r.duplicates}"),
        ("most messages in any 1 s", lambda r: str(r.most_in_a_second)),
        ("after the disruption: longest wait for a sign of life / first answer (s)",
         lambda r: "-" if r.disrupted_ack_s is None
         else f"{r.disrupted_ack_s} / {r.first_answer_after_s}"),
    ]  # fmt: skip
    lines = ["| metric | " + " | ".join(f"{r.scenario.name}" for r in results) + " |"]
    lines.append("|---|" + "---|" * len(results))
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(value(r) for r in results) + " |")
    return "\n".join(lines)


def _wall_over_floor(result: Result) -> str:
    if not result.floor_seconds:
        return "-"
    return f"{result.wall_seconds / result.floor_seconds:.2f}x"


def _p(values: dict[str, float], *keys: str) -> str:
    keys = keys or ("p50", "p95", "p99")
    return " / ".join(str(values[k]) for k in keys) if values else "-"


NO_THINK = (0.0, 0.0)
STANDARD = [
    Scenario("follow-ups", "follow-ups, fast model", chats=5, messages=5, mode="stream",
             think=NO_THINK, ttft=0.1, tokens_per_second=600.0, answer_tokens=120),  # ~0.3 s
    Scenario("no-think", "20 chats, no think time", chats=20, messages=3, mode="stream",
             think=NO_THINK),
    Scenario("stream", "within budget, stream", chats=20, messages=3, mode="stream"),
    Scenario("poll", "within budget, poll", chats=20, messages=3, mode="poll"),
    Scenario("group", "5 people, one group", chats=5, messages=3, mode="stream", think=NO_THINK,
             group=True),
    Scenario("beyond", "beyond budget, stream", chats=200, messages=3, mode="stream"),
    Scenario("beyond-actions", "beyond budget, actions share the limit", chats=200, messages=3,
             mode="stream", actions_share_limit=True),
    Scenario("far-beyond", "far beyond budget, stream", chats=1000, messages=3, mode="stream"),
]  # fmt: skip
# Several processes of one bot on PostgreSQL (`--database postgres`), Telegram posting webhooks
# through a round-robin proxy: the floor and the flood limits still hold, nothing is lost; and
# what a deploy, a crash or a frozen host costs the users.
MANY = [
    Scenario("procs-1", "1,000 chats, 1 process, webhooks", chats=1000, messages=3,
             mode="stream", webhook=True),
    Scenario("procs-2", "1,000 chats, 2 processes", chats=1000, messages=3, mode="stream",
             processes=2, webhook=True),
    Scenario("procs-4", "1,000 chats, 4 processes", chats=1000, messages=3, mode="stream",
             processes=4, webhook=True),
    Scenario("rolling", "rolling restart of 2 processes", chats=60, messages=10, mode="stream",
             processes=2, webhook=True, disrupt="rolling"),
    Scenario("kill", "SIGKILL of one of 2 processes", chats=60, messages=10, mode="stream",
             processes=2, webhook=True, disrupt="kill"),
    Scenario("stall", "one of 2 processes frozen past its lease", chats=60, messages=10,
             mode="stream", processes=2, webhook=True, disrupt="stall"),
]  # fmt: skip
# Benchmarks of their own, each with its own module.
SUITES = ("ledger", "media", "tools", "long-chat", "owner-tools", "web")
NAMES = (*SUITES, "text", "processes", *(s.key for s in STANDARD), *(s.key for s in MANY))


@dataclass(frozen=True)
class Plan:
    """What one run measures: text scenarios and the other suites, by exact name."""

    scenarios: list[Scenario]
    suites: list[str]


def plan(only: str | None) -> Plan:
    """`--only a,b`: exact names ("text" is every text scenario); None: everything."""
    if only is None:
        return Plan(list(STANDARD), list(SUITES))
    names = [name.strip() for name in only.split(",") if name.strip()]
    if unknown := [name for name in names if name not in NAMES]:
        raise ValueError(f"unknown: {', '.join(unknown)} (the names: {', '.join(NAMES)})")
    scenarios = [s for s in STANDARD if "text" in names or s.key in names]
    scenarios += [s for s in MANY if "processes" in names or s.key in names]
    return Plan(scenarios, [suite for suite in SUITES if suite in names])


def run_suite(name: str, where: Databases) -> Any:
    """The figures of one of the suites that are not text scenarios (the ledger's on `where`;
    the others on SQLite)."""
    if name == "ledger":
        from bench import ledger  # the ledger's own benchmark: no bot process, no fakes

        return ledger.run(where)
    if name == "media":
        from bench import media  # photos, voice, albums and big documents: its own bot runs

        return media.run()
    if name == "owner-tools":
        from bench import owner_tools  # an MCP call and a file search per turn; start-up

        return owner_tools.run()
    if name == "web":
        from bench import web  # the web pages' memory and a web chat turn's overhead

        return web.run()
    if name == "long-chat":
        from bench import long_chat  # an 80-turn chat's bill: its own bots, in this process

        return long_chat.run()
    from bench import tools  # charts and drawings delivered: its own bot runs

    return tools.run()


def main(argv: list[str] | None = None) -> None:
    # The bot drops its connections when it stops; the fakes' server would print each one.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, help="run one scenario with this many chats")
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--mode", choices=("stream", "poll"), default="stream")
    parser.add_argument("--ttft", type=float, default=0.8, help="model: seconds to first token")
    parser.add_argument("--tps", type=float, default=60.0, help="model: tokens per second")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
        help="users: seconds between an answer and their next message",
    )  # fmt: skip
    parser.add_argument("--only", help=f"comma-separated, from: {', '.join(NAMES)}")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument(
        "--database", choices=("sqlite", "postgres"), default="sqlite",
        help="the bots' database: a SQLite file, or PostgreSQL on a cluster started for the run",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        chosen = plan(args.only)
    except ValueError as exc:
        parser.error(str(exc))
    if args.chats:
        chosen = Plan(
            [Scenario("custom", f"{args.chats} chats, {args.mode}", args.chats, args.messages,
                      args.mode, ttft=args.ttft, tokens_per_second=args.tps,
                      think=tuple(args.think))],
            [],
        )  # fmt: skip
    if args.database == "sqlite" and any(s.processes > 1 for s in chosen.scenarios):
        parser.error("several processes of one bot need PostgreSQL: add --database postgres")
    results = []
    with tempfile.TemporaryDirectory() as workdir, databases(args.database) as where:
        suites = {name: run_suite(name, where) for name in chosen.suites}
        for scenario in chosen.scenarios:
            print(
                f"running: {scenario.name} ({scenario.chats} chats x {scenario.messages},"
                f" {where.name})",
                flush=True,
            )
            results.append(asyncio.run(run(scenario, Path(workdir), where)))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    machine += f", database: {args.database}"
    if results:
        print()
        print(summary(results))
        print()
        print(table(results))
        print(f"\nmachine: {machine}")
    for result in results:
        for note in result.notes:
            print(f"note ({result.scenario.name}): {note}")
    write_results(args.out, machine, results, suites)


def write_results(out: Path, machine: str, results: list[Result], suites: dict[str, Any]) -> None:
    """What this run measured, whichever parts it ran (the others are null)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        "machine": machine,
        "results": [asdict(r) for r in results],
        **{name: suites.get(name) for name in SUITES},
    }
    out.write_text(json.dumps(figures, indent=2))
    print(f"written: {out}")


if __name__ == "__main__":
    main()
