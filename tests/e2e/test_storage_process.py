"""Storage faults under the real process (`python -m bot`): a full disk, a locked database.

The disk fills for real: the test lowers the running bot's file-size limit (RLIMIT_FSIZE, as a
quota or a full volume would), so SQLite's next write fails in the kernel, then lifts it.
"""

from __future__ import annotations

import asyncio
import resource
import signal
import sqlite3
from pathlib import Path

from bot.texts import ENGLISH
from tests.conftest import Person, fake_env
from tests.e2e.test_process import start_process
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram


async def stop(process: asyncio.subprocess.Process) -> str:
    """SIGTERM, then what it printed (through a pipe: a file would meet the lowered file-size
    limit too; these runs log little, at INFO)."""
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    return output.decode()


async def test_a_full_disk_is_told_to_the_user_and_the_bot_recovers_when_space_returns(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    env = {**fake_env(telegram, openai_server, database), "LOG_LEVEL": "INFO"}
    process = await start_process(env, tmp_path, live=True)
    try:
        alice.say("before the disk fills")
        await alice.replies(1, within=30)
        soft, hard = resource.prlimit(process.pid, resource.RLIMIT_FSIZE)
        full = Path(f"{database}-wal").stat().st_size  # noqa: ASYNC240 (the log grows no more)
        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (full, hard))
        alice.say("while the disk is full")
        await alice.replies(2, within=30)
        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (soft, hard))  # space freed
        alice.say("after space returns")
        replies = await alice.replies(3, within=30)
    finally:
        log = await stop(process)

    assert replies[1] == ENGLISH.storage_unavailable, log
    assert replies[2].endswith("to: after space returns")
    # Whichever write met the full disk first (taking the message, or noting its turn).
    assert "cannot record a message: disk I/O error" in log or "not answered: cannot" in log
    assert process.returncode == 0, log
    assert "Traceback" not in log
    assert telegram.token not in log and openai_server.api_key not in log
    with sqlite3.connect(database) as copy:  # nothing half-written: the file is sound
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # an entry that could not be cleared on the full disk was cleared once it could be
        assert copy.execute("SELECT count(*) FROM inbox").fetchone() == (0,)


async def test_a_database_locked_by_another_program_is_told_and_then_passes(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    env = {**fake_env(telegram, openai_server, database), "LOG_LEVEL": "INFO"}
    process = await start_process(env, tmp_path, live=True)
    try:
        alice.say("before the lock")
        await alice.replies(1, within=30)
        other = sqlite3.connect(database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # e.g. an owner's sqlite3 shell mid-transaction
        alice.say("while it is locked")
        await alice.replies(2, within=30)  # after the bot's 5 s busy wait
        other.execute("ROLLBACK")
        other.close()
        alice.say("after the lock")
        replies = await alice.replies(3, within=30)
    finally:
        log = await stop(process)

    assert replies[1] == ENGLISH.storage_unavailable, log
    assert replies[2].endswith("to: after the lock")
    assert "database is locked" in log
    assert "Traceback" not in log and telegram.token not in log
