"""Stopping `python -m bot` with signals: a second signal makes the stop quicker, never a hang.

Double Ctrl+C is a habit, and `timeout`, systemd and some supervisors signal twice. The first
signal lets answers finish (SHUTDOWN_GRACE); the second leaves them in the inbox for the next
start and exits at once, with the database closed.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.conftest import Person, fake_env
from tests.e2e.test_process import (
    assert_answered_exactly_once,
    restart_until_answered,
    start_and_hold_a_turn,
    start_process,
    wait_for_exit,
)
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram

# Far longer than a hurried stop may take: a stop that waited for the grace would time out.
GRACE = "60"
# A hurried stop takes well under a second; this bound only tells "exited" from "hung".
HURRIED_EXIT_WITHIN = 5.0

SECOND_SIGNALS = [
    pytest.param(signal.SIGINT, 0.3, id="SIGINT twice 0.3 s apart"),
    pytest.param(signal.SIGTERM, 0.0, id="SIGINT then SIGTERM at once"),
    pytest.param(signal.SIGTERM, 0.3, id="SIGINT then SIGTERM 0.3 s apart"),
]
# The same signal twice at once may reach the process as one (the kernel keeps one pending):
# then it is a single, gentle stop, which an idle bot also ends at once.
IDLE_SECOND_SIGNALS = [pytest.param(signal.SIGINT, 0.0, id="SIGINT twice at once"), *SECOND_SIGNALS]


async def signal_twice(process: asyncio.subprocess.Process, second: int, gap: float) -> None:
    process.send_signal(signal.SIGINT)
    if gap:
        await asyncio.sleep(gap)  # the spacing is the scenario, not a wait for an event
    if process.returncode is None:
        process.send_signal(second)


@pytest.mark.parametrize(("second", "gap"), IDLE_SECOND_SIGNALS)
async def test_a_second_signal_while_idle_exits_cleanly(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alice: Person,
    tmp_path: Path,
    second: int,
    gap: float,
) -> None:
    env = {**fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"), "SHUTDOWN_GRACE": GRACE}
    process = await start_process(env, tmp_path)
    alice.say("Hello")
    await alice.replies(1, within=30)  # polling, and nothing left to answer

    await signal_twice(process, second, gap)
    log = await wait_for_exit(process, within=HURRIED_EXIT_WITHIN)

    assert process.returncode == 0, log
    assert "Stopping (SIG" in log
    assert "Telethread stopped" in log  # the shutdown ran to its end: the database is closed
    assert "Traceback" not in log


@pytest.mark.parametrize(("second", "gap"), SECOND_SIGNALS)
async def test_a_second_signal_while_answering_leaves_the_answer_for_the_next_start(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alice: Person,
    tmp_path: Path,
    second: int,
    gap: float,
) -> None:
    env = {
        **fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"),
        "REPLY_MODE": "poll",  # its first poll shows that the response id is stored
        "SHUTDOWN_GRACE": GRACE,
    }
    process, release = await start_and_hold_a_turn(telegram, openai_server, alice, env, tmp_path)

    await signal_twice(process, second, gap)
    log = await wait_for_exit(process, within=HURRIED_EXIT_WITHIN)
    assert process.returncode == 0, log
    assert "Stopping now" in log
    assert "Telethread stopped" in log and "Traceback" not in log
    assert telegram.sent_texts(alice.chat_id) == []

    release.set()  # the model finishes while the bot is down
    await restart_until_answered(env, tmp_path, alice)
    assert_answered_exactly_once(telegram, openai_server, alice)


async def test_a_signal_while_telegram_is_unreachable_stops_at_once(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    await telegram.go_down()
    env = fake_env(telegram, openai_server, tmp_path / "bot.sqlite3")
    process = await start_process(env, tmp_path)
    await telegram.wait_until(lambda: any(not call.ok for call in telegram.calls), within=30)

    await signal_twice(process, signal.SIGTERM, 0.3)
    log = await wait_for_exit(process, within=HURRIED_EXIT_WITHIN)

    assert process.returncode == 0, log
    assert "Stopped before Telegram could be reached" in log
    assert "Traceback" not in log
