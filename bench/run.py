"""Telethread benchmark: what the bot adds on top of the model, on loopback fakes.

Starts the fake Telegram Bot API (enforcing Telegram's flood limits: 429 beyond them) in this
process and the fake OpenAI API (a model with a set time to first token and token rate, varied
per turn) in a child process, runs the real bot process (`python -m bot`) against them, drives
many private chats (whose users pause between messages) and reports:
ack latency, first-text latency, delivery overhead, the longest gap without visible activity,
calls per message, wall time against the floor Telegram's limits set, lost and reordered
answers, 429s received, CPU seconds per 1,000 messages and peak RSS.

    ./run.sh bench                      # the standard scenarios (about five minutes)
    ./run.sh bench --chats 1000 --messages 3 --mode stream
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.telegram_server import Call, FakeTelegram, FloodRules  # noqa: E402

VISIBLE = ("sendChatAction", "sendMessageDraft", "sendMessage", "editMessageText")
TELEGRAM_FLOOR_RATE = 30.0  # messages a second: the overall limit


@dataclass
class Scenario:
    name: str
    chats: int
    messages: int
    mode: str  # stream | poll
    ttft: float = 0.8  # model: seconds to first token
    tokens_per_second: float = 60.0
    answer_tokens: int = 150
    jitter: float = 0.25  # model: each turn's ttft and rate vary by up to this share
    think: tuple[float, float] = (1.0, 3.0)  # users: seconds between an answer and the next message
    seed: int = 7


@dataclass
class Result:
    scenario: Scenario
    messages: int
    answered: int
    lost: int
    reordered: int
    wall_seconds: float
    floor_seconds: float
    round_trip_ms: float
    ack_ms: dict[str, float]
    first_text_ms: dict[str, float]
    delivery_ms: dict[str, float]
    longest_gap_s: float
    telegram_429s: int
    openai_calls_per_message: dict[str, float]
    telegram_calls_per_message: dict[str, float]
    cpu_s_per_1000: float
    peak_rss_mb: float
    notes: list[str] = field(default_factory=list)


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


def process_cost(pid: int) -> tuple[float, float]:
    """CPU seconds used and peak resident memory (MB) of a Linux process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak_kb = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    return cpu, peak_kb / 1024


async def run(scenario: Scenario, workdir: Path) -> Result:
    telegram = FakeTelegram(flood=FloodRules())
    await telegram.start()
    round_trip = await measure_round_trip(telegram)
    openai_server = await OpenAIProcess.start(scenario)
    rng = random.Random(scenario.seed)  # the users' pauses

    # Per-chat record of what the bot made visible, kept as calls arrive (no rescans).
    visible: dict[int, list[Call]] = defaultdict(list)
    answers: dict[int, list[Call]] = defaultdict(list)
    answered = {chat: asyncio.Event() for chat in range(1, scenario.chats + 1)}
    expected: dict[int, int] = defaultdict(int)

    def on_call(call: Call) -> None:
        chat = call.params.get("chat_id")
        if not call.ok or not isinstance(chat, int) or call.method not in VISIBLE:
            return
        visible[chat].append(call)
        if call.method == "sendMessage":
            answers[chat].append(call)
            if len(answers[chat]) >= expected[chat] and chat in answered:
                answered[chat].set()

    telegram.listeners.append(on_call)
    env = {
        "PATH": os.environ.get("PATH", ""),
        # The bot's imports as in production (see production_site/sitecustomize.py).
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench" / "production_site"), str(ROOT)]),
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "OPENAI_API_KEY": openai_server.api_key,
        "OPENAI_BASE_URL": openai_server.base_url,
        "TELEGRAM_BASE_URL": telegram.root_url,
        "DATABASE_PATH": str(workdir / f"{scenario.name}.sqlite3"),
        "OPENAI_MODEL": "bench-model",
        "ALLOWED_USERS": "*",
        "REPLY_MODE": scenario.mode,
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }
    log_path = Path(os.environ.get("BENCH_KEEP_LOG") or workdir / f"{scenario.name}.log")
    log_file = open_log(log_path)
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=log_file,
    )  # fmt: skip
    await telegram.wait_until(lambda: len(telegram.commands) == 3, within=30)
    cpu_at_start, _ = process_cost(bot.pid)

    users = {chat: telegram.user(chat, f"User{chat}") for chat in answered}
    chats = {chat: telegram.private_chat(users[chat]) for chat in answered}
    pushes: dict[tuple[int, int], float] = {}

    async def converse(chat: int) -> None:
        for n in range(scenario.messages):
            if n:  # people read the answer before they write again
                await asyncio.sleep(rng.uniform(*scenario.think))
            expected[chat] = n + 1
            answered[chat].clear()
            pushes[(chat, n)] = time.monotonic()
            telegram.push_message(chats[chat], users[chat], f"chat {chat} message {n}")
            await answered[chat].wait()

    floor = scenario.chats * scenario.messages / TELEGRAM_FLOOR_RATE
    limit = max(60.0, floor * 3 + scenario.messages * 10)
    started = time.monotonic()
    notes = []
    try:
        await asyncio.wait_for(
            asyncio.gather(*(converse(chat) for chat in answered)), timeout=limit
        )
    except TimeoutError:
        notes.append(f"stopped after {limit:.0f} s with answers missing")
        missing = [c for c in answered if not answered[c].is_set()]
        notes.append(
            f"waiting chats {missing}; undelivered updates "
            f"{[u['update_id'] for u in telegram._updates]}, offset {telegram.confirmed_offset}"
        )
    wall = time.monotonic() - started
    cpu_at_end, peak_rss = process_cost(bot.pid)
    bot.send_signal(signal.SIGTERM)
    await asyncio.wait_for(bot.wait(), 60)
    log_file.close()
    if bot.returncode:
        notes.append(f"bot exited {bot.returncode}; its log: {log_path}")

    model_report = await openai_server.stop()
    turns = {t["input"]: t for t in model_report["turns"]}
    ack, first_text, delivery, gaps = [], [], [], []
    lost = reordered = 0
    for chat in answered:
        calls = answers[chat]
        texts = [c.result["text"] for c in calls]
        if len(calls) < scenario.messages:
            lost += scenario.messages - len(calls)
        if texts != sorted(texts, key=lambda t: texts.index(t)) or [
            c.params["reply_parameters"]["message_id"] for c in calls
        ] != sorted(c.params["reply_parameters"]["message_id"] for c in calls):
            reordered += 1
        for n, answer in enumerate(calls[: scenario.messages]):
            pushed = pushes[(chat, n)]
            seen = [c.at for c in visible[chat] if pushed <= c.at <= answer.at]
            if seen:
                ack.append(seen[0] - pushed)
                gaps.append(max(b - a for a, b in zip([pushed, *seen[:-1]], seen, strict=True)))
            turn = turns.get(f"chat {chat} message {n}")
            if turn and turn["finished_at"]:
                delivery.append(answer.at - turn["finished_at"])
            drafts = [
                c.at for c in visible[chat]
                if c.method == "sendMessageDraft" and c.params.get("text") and pushed <= c.at
            ]  # fmt: skip
            if turn and turn["first_token_at"] and drafts:
                first_text.append(drafts[0] - turn["first_token_at"])

    total = scenario.chats * scenario.messages
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
        floor_seconds=round(floor, 2),
        round_trip_ms=round(round_trip * 1000, 2),
        ack_ms=percentiles(ack),
        first_text_ms=percentiles(first_text),
        delivery_ms=percentiles(delivery),
        longest_gap_s=round(max(gaps, default=0.0), 2),
        telegram_429s=telegram.flood_rejections,
        openai_calls_per_message={k: round(v / total, 2) for k, v in openai_calls.items()},
        telegram_calls_per_message={k: round(v / total, 2) for k, v in telegram_calls.items()},
        cpu_s_per_1000=round((cpu_at_end - cpu_at_start) / total * 1000, 2),
        peak_rss_mb=round(peak_rss, 1),
        notes=notes,
    )


def _endpoint(method: str, path: str) -> str:
    parts = path.strip("/").split("/")
    shape = "/".join(
        p if not any(p.startswith(x) for x in ("conv_", "resp_", "thread_", "run_")) else "{id}"
        for p in parts
    )
    return f"{method} /{shape}"


def table(results: list[Result]) -> str:
    rows = [
        ("scenario", lambda r: f"{r.scenario.chats}x{r.scenario.messages} {r.scenario.mode}"),
        ("answered / lost / reordered", lambda r: f"{r.answered} / {r.lost} / {r.reordered}"),
        ("fake Telegram round trip (ms)", lambda r: f"{r.round_trip_ms}"),
        ("ack latency p50/p95/p99 ms", lambda r: _p(r.ack_ms)),
        ("first text after model's first token p50/p95/p99 ms", lambda r: _p(r.first_text_ms)),
        ("delivery overhead p50/p95/p99 ms", lambda r: _p(r.delivery_ms)),
        ("longest gap without activity (s)", lambda r: f"{r.longest_gap_s}"),
        ("wall time / floor (s)", lambda r: f"{r.wall_seconds} / {r.floor_seconds} "
                                            f"({r.wall_seconds / r.floor_seconds:.2f}x)"),
        ("429s from Telegram", lambda r: str(r.telegram_429s)),
        ("OpenAI calls per message", lambda r: f"{sum(r.openai_calls_per_message.values()):.2f}"),
        ("Telegram calls per message", lambda r: ", ".join(
            f"{k} {v}" for k, v in sorted(r.telegram_calls_per_message.items()))),
        ("CPU s per 1,000 messages", lambda r: f"{r.cpu_s_per_1000}"),
        ("peak RSS (MB)", lambda r: f"{r.peak_rss_mb}"),
    ]  # fmt: skip
    lines = ["| metric | " + " | ".join(f"{r.scenario.name}" for r in results) + " |"]
    lines.append("|---|" + "---|" * len(results))
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(value(r) for r in results) + " |")
    return "\n".join(lines)


def _p(values: dict[str, float]) -> str:
    return " / ".join(str(values[k]) for k in ("p50", "p95", "p99")) if values else "-"


STANDARD = [
    Scenario("within budget, stream", chats=20, messages=3, mode="stream"),
    Scenario("within budget, poll", chats=20, messages=3, mode="poll"),
    Scenario("beyond budget, stream", chats=200, messages=3, mode="stream"),
    Scenario("far beyond budget, stream", chats=1000, messages=3, mode="stream"),
]


def main() -> None:
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
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    args = parser.parse_args()
    scenarios = STANDARD
    if args.chats:
        scenarios = [
            Scenario(f"{args.chats} chats, {args.mode}", args.chats, args.messages, args.mode,
                     ttft=args.ttft, tokens_per_second=args.tps, think=tuple(args.think))
        ]  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for scenario in scenarios:
            print(
                f"running: {scenario.name} ({scenario.chats} chats x {scenario.messages})",
                flush=True,
            )
            results.append(asyncio.run(run(scenario, Path(workdir))))
    print()
    print(table(results))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nmachine: {machine}")
    for result in results:
        for note in result.notes:
            print(f"note ({result.scenario.name}): {note}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"machine": machine, "results": [asdict(r) for r in results]}, indent=2)
    )
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
