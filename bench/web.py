"""The web pages' cost: the memory the web app adds to a bot process, and what a web chat turn
adds to a turn next to a Telegram one.

- Memory: two bot processes on the same work (twenty Telegram turns), one without the pages
  and one with them, signed in and having served every page and twenty web chat turns; each
  process's resident memory (VmRSS) after the work, and the difference.
- A turn's overhead, the bot's part only (the model's time excluded), on one clock (monotonic,
  shared by the processes): before the model, from the message sent (Telegram: the update
  handed to the bot; web: the POST sent) to the model asked; after it, from the model done to
  the answer in the person's hands (Telegram: the final `sendMessage`; web: the stream's final
  event read by the page).

Run by `./run.sh bench --only web`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench.run import OpenAIProcess, Scenario, bot_env, open_log, percentiles
from tests.fakes.telegram_server import FakeTelegram, FloodRules
from tests.web_client import WebVisitor, sign_in_link

SAMPLES = 20  # the web chat takes 20 messages a minute from one person
PAGES = ("chat", "personas", "usage", "settings", "owner-usage", "owner-status")
OWNER = 41_000


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def _telegram_turns(telegram: FakeTelegram, first_user: int) -> dict[str, list[float]]:
    """SAMPLES questions, each in a chat of its own, one at a time; the bot's part of each."""
    pushed: dict[str, float] = {}
    delivered: dict[str, float] = {}
    for n in range(SAMPLES):
        user = telegram.user(first_user + n)
        chat = telegram.private_chat(user)
        marker = f"telegram question {n}"
        pushed[marker] = time.monotonic()
        telegram.push_message(chat, user, marker)
        [sent] = await telegram.wait_until(
            partial(telegram.calls_to, "sendMessage", chat["id"]), within=30
        )
        delivered[marker] = sent.at
    return {"pushed": list(pushed.values()), "delivered": list(delivered.values())}


async def _one_bot(workdir: Path, name: str, *, web: bool) -> dict[str, Any]:
    scenario = Scenario("web", name, 1, 1, "stream", ttft=0.05, answer_tokens=40)
    telegram = FakeTelegram(flood=FloodRules())
    await telegram.start()
    openai = await OpenAIProcess.start(scenario)
    port = _free_port()
    env = {
        **bot_env(telegram, openai, workdir / f"{name}.sqlite3"),
        "REPLY_MODE": "stream",
        "ADMIN_USERS": str(OWNER),
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        **({"WEB_LISTEN": f"127.0.0.1:{port}"} if web else {}),
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=open_log(workdir / f"{name}.log"),
    )  # fmt: skip
    figures: dict[str, Any] = {}
    try:
        await telegram.wait_until(lambda: len(telegram.commands) == 3, within=60)
        tg = await _telegram_turns(telegram, 50_000)
        if web:
            figures["web"] = await _web_turns(telegram, port)
        figures["rss_kb"] = _rss_kb(bot.pid)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 60)
        report = await openai.stop()
        await telegram.stop()
    turns = {t["input"]: t for t in report["turns"]}
    markers = [f"telegram question {n}" for n in range(SAMPLES)]
    figures["telegram"] = _parts([turns[m] for m in markers], tg["pushed"], tg["delivered"])
    if web:
        sent, read = figures["web"].pop("sent"), figures["web"].pop("read")
        asked = [turns[f"web question {n}"] for n in range(SAMPLES)]
        figures["web"] |= _parts(asked, sent, read)
    return figures


def _parts(turns: list[dict[str, Any]], sent: list[float], done: list[float]) -> dict[str, Any]:
    before = [t["requested_at"] - s for t, s in zip(turns, sent, strict=True)]
    after = [d - t["finished_at"] for t, d in zip(turns, done, strict=True)]
    return {
        "turns": len(turns),
        "to_the_model_ms": percentiles(before),
        "to_the_person_ms": percentiles(after),
    }


async def _web_turns(telegram: FakeTelegram, port: int) -> dict[str, Any]:
    """The owner signs in by /web, opens every page, and sends SAMPLES web chat messages."""
    owner = telegram.user(OWNER)
    chat = telegram.private_chat(owner)
    telegram.push_message(chat, owner, "/web")
    await telegram.wait_until(partial(telegram.calls_to, "sendMessage", OWNER), within=30)
    visitor = WebVisitor.at(f"http://127.0.0.1:{port}")
    sent: list[float] = []
    read: list[float] = []
    try:
        response = await visitor.sign_in(sign_in_link(telegram, OWNER))
        assert response.status == 303, response.status
        for page in PAGES:
            status, _ = await visitor.page(page)
            assert status == 200, (page, status)
        for n in range(SAMPLES):
            sent.append(time.monotonic())
            status, answer = await visitor.chat(f"web question {n}")
            assert status == 200 and answer.of("answer"), (status, answer.events)
            read.append(time.monotonic())  # the stream's final events read
    finally:
        await visitor.close()
    return {"sent": sent, "read": read}


async def _all(workdir: Path) -> dict[str, Any]:
    without = await _one_bot(workdir, "without-web", web=False)
    with_web = await _one_bot(workdir, "with-web", web=True)
    return {
        "rss_without_web_mb": round(without["rss_kb"] / 1024, 1),
        "rss_with_web_mb": round(with_web["rss_kb"] / 1024, 1),
        "web_app_mb": round((with_web["rss_kb"] - without["rss_kb"]) / 1024, 1),
        "telegram_turn": with_web["telegram"],
        "web_turn": with_web["web"],
    }


def run() -> dict[str, Any]:
    print("running: web (the web app's memory; a web chat turn next to a Telegram turn)")
    with tempfile.TemporaryDirectory() as workdir:
        figures = asyncio.run(_all(Path(workdir)))
    tg, web = figures["telegram_turn"], figures["web_turn"]
    print(f"web memory: {figures['rss_with_web_mb']} MB with the pages served,"
          f" {figures['rss_without_web_mb']} MB without: +{figures['web_app_mb']} MB")  # fmt: skip
    for name, part in (("telegram", tg), ("web", web)):
        print(f"web {name} turn: sent → model p50 {part['to_the_model_ms'].get('p50')} ms,"
              f" model done → the person p50 {part['to_the_person_ms'].get('p50')} ms"
              f" (p95 {part['to_the_model_ms'].get('p95')} / "
              f"{part['to_the_person_ms'].get('p95')} ms)")  # fmt: skip
    return figures


if __name__ == "__main__":
    run()
