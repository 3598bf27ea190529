"""Media: what the bot adds to a photo, a voice note and a 3-photo album, and its memory when 20
chats each send a 20 MB document at once.

Overhead is measured at the fakes, on one clock: from the moment the fake Telegram handed out a
turn's last update to the moment the fake OpenAI received the model request, minus the time
spent in getFile and downloads (at the fake Telegram) and in transcription (at the fake OpenAI),
and minus the album wait for albums. Goals (issue 16): at most 10 ms at the median; peak RSS at
most 250 MB with the 20 documents. Run by `./run.sh bench` (or `--only media`).
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

from bench.fleet import process_cost
from bench.run import OpenAIProcess, Scenario, bot_env, open_log, percentiles
from tests.fakes.telegram_server import FakeTelegram, FloodRules
from tests.media_samples import jpeg, ogg_opus, pdf

SAMPLES = 30  # turns of each kind, one chat each, one after another
ALBUM_WAIT_MS = 1200  # the default
BIG_DOCUMENT = 19_900_000  # bytes: just under the 20 MB bots may download
BIG_CHATS = 20


async def _start_bot(
    telegram: FakeTelegram, openai: OpenAIProcess, workdir: Path, name: str, **extra: str
) -> asyncio.subprocess.Process:
    env = {
        **bot_env(telegram, openai, workdir / f"{name}.sqlite3"),
        "TRANSCRIPTION_BASE_URL": openai.base_url,
        "REPLY_MODE": "poll",
        "ALBUM_WAIT_MS": str(ALBUM_WAIT_MS),
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        **{k: v for k, v in os.environ.items() if k.startswith("MALLOC_")},
        **extra,
    }
    log = open_log(workdir / f"{name}.log")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    await telegram.wait_until(lambda: len(telegram.commands) == 3, within=30)
    return bot


async def _stop(bot: asyncio.subprocess.Process) -> None:
    bot.send_signal(signal.SIGTERM)
    await asyncio.wait_for(bot.wait(), 60)


def _answered(telegram: FakeTelegram, chat_id: int, replies: int) -> bool:
    return len(telegram.sent_texts(chat_id)) >= replies


async def overheads(workdir: Path) -> dict[str, Any]:
    telegram = FakeTelegram(flood=FloodRules())
    await telegram.start()
    openai = await OpenAIProcess.start(
        Scenario("media", "media", 1, 1, "poll", ttft=0.02, answer_tokens=20)
    )
    bot = await _start_bot(telegram, openai, workdir, "media")
    photo = jpeg(1280, 960)
    pushed: dict[str, list[tuple[float, list[str]]]] = {"photo": [], "voice": [], "album": []}
    try:
        for n in range(SAMPLES):
            for kind in pushed:
                user = telegram.user(10_000 + len(pushed) * n + list(pushed).index(kind))
                chat = telegram.private_chat(user)
                marker = f"bench {kind} {n}"
                # A chat that has talked before (its conversation exists), as most turns are.
                telegram.push_message(chat, user, "hello")
                await telegram.wait_until(partial(telegram.sent_texts, chat["id"]), within=30)
                files: list[str] = []
                if kind == "voice":
                    voice = telegram.voice(ogg_opus(marker, 6), 6)
                    files.append(voice["file_id"])
                    telegram.push_message(chat, user, voice=voice)
                else:
                    count = 3 if kind == "album" else 1
                    for item in range(count):
                        sizes = telegram.photo(photo, 1280, 960)
                        files.append(sizes[-1]["file_id"])
                        extra: dict[str, Any] = (
                            {"media_group_id": f"album{n}"} if kind == "album" else {}
                        )
                        caption: dict[str, Any] = {"caption": marker} if item == 0 else {}
                        message = telegram.push_message(chat, user, photo=sizes, **caption, **extra)
                        del message
                # One turn at a time: each answer (after the transcript's echo) before the next.
                replies = 3 if kind == "voice" else 2
                await telegram.wait_until(
                    partial(_answered, telegram, chat["id"], replies), within=30
                )
                # The newest update handed out is this turn's last (one turn at a time).
                pushed[kind].append((telegram.delivered_at[max(telegram.delivered_at)], files))
    finally:
        await _stop(bot)
        report = await openai.stop()
        await telegram.stop()
    turns = {
        t["input"].split("bench ", 1)[-1]: t for t in report["turns"] if "bench " in t["input"]
    }
    spoken = {t["text"]: t for t in report["transcriptions"]}
    spans = {file_id: (start, end) for file_id, start, end in telegram.file_spans}
    figures: dict[str, Any] = {}
    for kind, samples in pushed.items():
        values = []
        for n, (last_update_at, files) in enumerate(samples):
            turn = turns.get(f"{kind} {n}")
            if turn is None:
                continue
            media = sum(spans[f][1] - spans[f][0] for f in files if f in spans)
            if kind == "voice":
                heard = spoken[f"bench voice {n}"]
                media += heard["finished_at"] - heard["started_at"]
            wait = ALBUM_WAIT_MS / 1000 if kind == "album" else 0.0
            values.append(turn["requested_at"] - last_update_at - media - wait)
        figures[kind] = {"turns": len(values), "overhead_ms": percentiles(values)}
    return figures


async def big_documents(workdir: Path) -> dict[str, Any]:
    """20 chats send a 20 MB PDF at once (Responses backend: each goes to the model inline)."""
    telegram = FakeTelegram(flood=FloodRules())
    await telegram.start()
    openai = await OpenAIProcess.start(
        Scenario("media", "media", 1, 1, "poll", ttft=0.05, answer_tokens=20)
    )
    head = pdf()
    document = head + b"%" + b"x" * (BIG_DOCUMENT - len(head) - 1)
    bot = await _start_bot(telegram, openai, workdir, "documents", MAX_DOCUMENT_MB="20")
    _, rss_before = process_cost(bot.pid)
    started = time.monotonic()
    try:
        chats = []
        for n in range(BIG_CHATS):
            user = telegram.user(20_000 + n)
            chat = telegram.private_chat(user)
            chats.append(chat["id"])
            stored = telegram.document(document, f"report{n}.pdf", "application/pdf")
            telegram.push_message(chat, user, document=stored, caption=f"bench document {n}")
        await telegram.wait_until(
            lambda: all(telegram.sent_texts(chat_id) for chat_id in chats), within=300
        )
        wall = time.monotonic() - started
        _, peak = process_cost(bot.pid)
    finally:
        await _stop(bot)
        report = await openai.stop()
        await telegram.stop()
    return {
        "chats": BIG_CHATS,
        "document_mb": BIG_DOCUMENT / 1_000_000,
        "answered": sum(1 for t in report["turns"] if t["media"]),
        "wall_s": round(wall, 1),
        "rss_idle_mb": round(rss_before, 1),
        "peak_rss_mb": round(peak, 1),
    }


def run() -> dict[str, Any]:
    print("running: media (photo, voice, album overhead; 20 x 20 MB documents)", flush=True)
    with tempfile.TemporaryDirectory() as workdir:
        figures = asyncio.run(overheads(Path(workdir)))
        figures["documents"] = asyncio.run(big_documents(Path(workdir)))
    for kind in ("photo", "voice", "album"):
        o = figures[kind]["overhead_ms"]
        print(f"media {kind}: bot overhead p50 {o.get('p50')} ms, p95 {o.get('p95')} ms "
              f"({figures[kind]['turns']} turns)")  # fmt: skip
    d = figures["documents"]
    print(
        f"media documents: {d['answered']}/{d['chats']} answered in {d['wall_s']} s, "
        f"peak RSS {d['peak_rss_mb']} MB (idle {d['rss_idle_mb']} MB)"
    )
    return figures


if __name__ == "__main__":
    run()
