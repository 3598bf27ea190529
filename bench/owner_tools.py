"""The owner's tools: what a call of an MCP tool and a search of a persona's documents add to
a turn, beyond the call's and the search's own time; and start-up with a big knowledge folder.

- MCP: thirty messages, each making the model call one tool of a real MCP server (the tests'
  `tests/servers/mcp_tools.py`, over HTTP) before it answers. On one clock (monotonic, shared
  by the processes): the bot's part is from the model's call request to the tool starting,
  plus from the tool's end to the model's next request.
- File search: thirty questions to a persona with a knowledge folder, and thirty to one
  without; the bot's part is from the model done to the answer in the chat (the search runs
  on the model's server, so any difference is the bot's).
- Start-up with 200 documents that did not change since the last start: from the process
  started to its polling for updates, against the same without knowledge (the median of three
  each), and the uploads it made (goal: none).

Run by `./run.sh bench --only owner-tools`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench.run import OpenAIProcess, Scenario, bot_env, open_log, percentiles
from tests.fakes.telegram_server import FakeTelegram, FloodRules
from tests.servers.running import McpServerProcess

SAMPLES = 30
DOCUMENTS = 200
STARTS = 3
PERSONA = """
[[persona]]
name = "family"
title = "Family helper"
instructions = "Help the family."
"""


class Stage:
    """The fakes and one bot process, started and stopped together."""

    def __init__(self, workdir: Path, name: str, scenario: Scenario, personas: str) -> None:
        self.workdir = workdir
        self.name = name
        self.scenario = scenario
        self.personas = personas
        self.telegram = FakeTelegram(flood=FloodRules())
        self.openai: OpenAIProcess | None = None
        self.env: dict[str, str] = {}

    async def __aenter__(self) -> Stage:
        await self.telegram.start()
        self.openai = await OpenAIProcess.start(self.scenario)
        path = self.workdir / f"{self.name}.toml"
        path.write_text(self.personas)
        self.env = {
            **bot_env(self.telegram, self.openai, self.workdir / f"{self.name}.sqlite3"),
            "REPLY_MODE": "stream",
            "PERSONAS_FILE": str(path),
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        }
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.telegram.stop()

    async def bot(self, **env: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.workdir, env={**self.env, **env},
            stdout=asyncio.subprocess.DEVNULL, stderr=open_log(self.workdir / f"{self.name}.log"),
        )  # fmt: skip

    async def ask(self, count: int, question: str) -> dict[str, float]:
        """Each question in a chat of its own, one at a time: when its answer arrived."""
        telegram = self.telegram
        await telegram.wait_until(lambda: len(telegram.commands) == 3, within=60)
        delivered = {}
        for n in range(count):
            user = telegram.user(40_000 + n)
            chat = telegram.private_chat(user)
            marker = f"{question} {n}"
            telegram.push_message(chat, user, marker)
            [sent] = await telegram.wait_until(
                partial(telegram.calls_to, "sendMessage", chat["id"]), within=30
            )
            delivered[marker] = sent.at
        return delivered

    async def stop(self, bot: asyncio.subprocess.Process) -> dict[str, Any]:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 60)
        assert self.openai is not None
        return await self.openai.stop()


async def _mcp(workdir: Path) -> dict[str, Any]:
    house = McpServerProcess(workdir / "journal.jsonl")
    house.start()
    personas = (
        f'[mcp.house]\nurl = "{house.url}"\n'
        'headers = { Authorization = "Bearer ${HOUSE_TOKEN}" }\n' + PERSONA + 'mcp = ["house"]\n'
    )
    scenario = Scenario(
        "owner-tools", "mcp", 1, 1, "stream", ttft=0.05, answer_tokens=20, mcp_calls=SAMPLES
    )
    try:
        async with Stage(workdir, "mcp", scenario, personas) as stage:
            bot = await stage.bot(HOUSE_TOKEN=house.token)
            try:
                delivered = await stage.ask(SAMPLES, "weather in Oslo?")
            finally:
                report = await stage.stop(bot)
    finally:
        house.stop()
    turns = {t["sequence"]: t for t in report["turns"]}
    starts, requests = house.calls("weather", "start"), house.requests()
    overhead, before, after, answer, server = [], [], [], [], []
    for (marker, at), start in zip(delivered.items(), starts, strict=False):
        asked = next(t for t in turns.values() if t["input"] == marker)
        then = turns[asked["sequence"] + 1]
        # The HTTP request that ran the tool: the server's own time is from its arrival to
        # its answer sent in full; the rest, from the model done to the model asked again,
        # is the bot's (its MCP client included).
        arrived, sent = next((r, s) for r, s in requests if r <= start["at"] <= s)
        before.append(arrived - asked["finished_at"])
        after.append(then["requested_at"] - sent)
        server.append(sent - arrived)
        overhead.append(before[-1] + after[-1])
        answer.append(at - then["finished_at"])
    return {
        "turns": len(overhead),
        "bot_ms_per_call": percentiles(overhead),
        "to_the_call_ms": percentiles(before),  # model done → the tool runs
        "after_the_call_ms": percentiles(after),  # the tool done → the model asked again
        "server_ms": percentiles(server),  # the MCP server: request in → answer out
        "answer_delivery_ms": percentiles(answer),
    }


def _folder(workdir: Path, documents: int) -> Path:
    folder = workdir / "handbook"
    folder.mkdir(exist_ok=True)
    for n in range(documents):
        (folder / f"page{n:03}.md").write_text(
            f"Page {n}\n\nThe recipe number {n} bakes bread at {180 + n % 60} degrees.\n"
        )
    return folder


async def _delivery(workdir: Path, name: str, personas: str) -> dict[str, Any]:
    scenario = Scenario("owner-tools", name, 1, 1, "stream", ttft=0.05, answer_tokens=20)
    async with Stage(workdir, name, scenario, personas) as stage:
        bot = await stage.bot()
        try:
            delivered = await stage.ask(SAMPLES, "how hot do we bake the bread?")
        finally:
            report = await stage.stop(bot)
    finished = {t["input"]: t["finished_at"] for t in report["turns"]}
    return {"turns": len(delivered), "delivery_ms": percentiles(
        [at - finished[m] for m, at in delivered.items() if m in finished]
    )}  # fmt: skip


async def _starts(workdir: Path, name: str, personas: str) -> dict[str, Any]:
    """The median seconds from the process started to its polling, over STARTS
    starts after a first one (which uploads, where there is anything to upload)."""
    scenario = Scenario("owner-tools", name, 1, 1, "stream", ttft=0.05, answer_tokens=20)
    seconds = []
    async with Stage(workdir, name, scenario, personas) as stage:
        telegram = stage.telegram
        for n in range(STARTS + 1):
            polled = len(telegram.calls_to("deleteWebhook"))
            began = time.monotonic()
            bot = await stage.bot()
            # deleteWebhook is the last call before polling starts (a getUpdates is recorded
            # only once it returns).
            [first, *_] = await telegram.wait_until(
                partial(_since, telegram, "deleteWebhook", polled), within=120
            )
            if n:
                seconds.append(first.at - began)
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 60)
        assert stage.openai is not None
        report = await stage.openai.stop()
    uploads = sum(1 for method, path in report["requests"] if (method, path) == ("POST", "/files"))
    return {"start_s": round(statistics.median(seconds), 3), "uploads": uploads}


def _since(telegram: FakeTelegram, method: str, seen: int) -> list[Any] | None:
    return telegram.calls_to(method)[seen:] or None


async def _all(workdir: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {"mcp": await _mcp(workdir)}
    _folder(workdir, 20)
    knowledge = PERSONA + 'knowledge = "handbook"\n'
    figures["file_search"] = await _delivery(workdir, "search", knowledge)
    figures["plain"] = await _delivery(workdir, "plain", PERSONA)
    _folder(workdir, DOCUMENTS)
    figures["start_plain"] = await _starts(workdir, "start-plain", PERSONA)
    figures["start_knowledge"] = await _starts(workdir, "start-knowledge", knowledge)
    return figures


def run() -> dict[str, Any]:
    print("running: owner-tools (an MCP call, a file search, start-up with 200 documents)")
    with tempfile.TemporaryDirectory() as workdir:
        figures = asyncio.run(_all(Path(workdir)))
    mcp, search, plain = figures["mcp"], figures["file_search"], figures["plain"]
    print(f"owner-tools mcp: the bot's part of a call p50 {mcp['bot_ms_per_call'].get('p50')} ms,"
          f" p95 {mcp['bot_ms_per_call'].get('p95')} ms (the MCP server's own p50"
          f" {mcp['server_ms'].get('p50')} ms; {mcp['turns']} turns)")  # fmt: skip
    print(f"owner-tools file search: model done → in the chat p50"
          f" {search['delivery_ms'].get('p50')} ms (without knowledge"
          f" {plain['delivery_ms'].get('p50')} ms)")  # fmt: skip
    plain_start, known = figures["start_plain"], figures["start_knowledge"]
    print(f"owner-tools start-up: {known['start_s']} s with {DOCUMENTS} unchanged documents,"
          f" {plain_start['start_s']} s without ({known['uploads']} uploads in"
          f" {STARTS + 1} starts: all on the first)")  # fmt: skip
    return figures


if __name__ == "__main__":
    run()
