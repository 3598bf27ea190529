"""Tools: how long the files a tool turn made take to reach the chat once the model is done.

Thirty turns of a persona that runs code writing three charts (~90 KB PNGs), and thirty
`/image` drawings, one at a time in private chats, streamed, under Telegram's real flood limits.
Measured at the fakes, on one clock: from the moment the fake OpenAI finished the response to
the moment the fake Telegram answered the album (or photo) — the bot reads the response's end,
fetches each file from the container (or decodes the image it holds), and uploads them, the
answer riding as the caption. Run by `./run.sh bench` (or `--only tools`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from bench.run import OpenAIProcess, Scenario, bot_env, open_log, percentiles
from tests.fakes.telegram_server import FakeTelegram, FloodRules

SAMPLES = 30
CHARTS = 3
PERSONAS = """
[[persona]]
name = "visualizer"
title = "Data visualizer"
tools = ["code_interpreter"]
instructions = "Answer with charts."
"""


async def _deliveries(workdir: Path, kind: str) -> dict[str, Any]:
    telegram = FakeTelegram(flood=FloodRules())
    await telegram.start()
    charts = CHARTS if kind == "charts" else 0
    scenario = Scenario(
        "tools", "tools", 1, 1, "stream", ttft=0.05, answer_tokens=20, charts=charts
    )
    openai = await OpenAIProcess.start(scenario)
    personas = workdir / "personas.toml"
    personas.write_text(PERSONAS)
    env = {
        **bot_env(telegram, openai, workdir / f"{kind}.sqlite3"),
        "REPLY_MODE": "stream",
        "PERSONAS_FILE": str(personas),
        "IMAGE_COMMAND": "on",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=open_log(workdir / f"{kind}.log"),
    )  # fmt: skip
    method = "sendMediaGroup" if kind == "charts" else "sendPhoto"
    delivered: dict[str, float] = {}
    try:
        await telegram.wait_until(lambda: len(telegram.commands) == 3, within=30)
        for n in range(SAMPLES):
            user = telegram.user(30_000 + n)
            chat = telegram.private_chat(user)
            marker = f"bench {kind} {n}"
            telegram.push_message(chat, user, marker if kind == "charts" else f"/image {marker}")
            [sent] = await telegram.wait_until(
                partial(telegram.calls_to, method, chat["id"]), within=30
            )
            delivered[marker] = sent.at
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 60)
        report = await openai.stop()
        await telegram.stop()
    finished = {
        marker: t["finished_at"]
        for t in report["turns"]
        for marker in delivered
        if t["input"].endswith(marker)
    }
    values = [delivered[m] - finished[m] for m in delivered if m in finished]
    return {"turns": len(values), "delivery_ms": percentiles(values)}


def run() -> dict[str, Any]:
    print("running: tools (3 charts from the code interpreter; /image)", flush=True)
    figures = {}
    with tempfile.TemporaryDirectory() as workdir:
        for kind in ("charts", "image"):
            figures[kind] = asyncio.run(_deliveries(Path(workdir), kind))
    for kind, f in figures.items():
        d = f["delivery_ms"]
        print(f"tools {kind}: model done → in the chat p50 {d.get('p50')} ms, "
              f"p95 {d.get('p95')} ms ({f['turns']} turns)")  # fmt: skip
    return figures


if __name__ == "__main__":
    run()
