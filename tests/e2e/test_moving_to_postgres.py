"""An owner outgrows SQLite: `python -m bot migrate-to-postgres` moves the bot's whole state into
an empty PostgreSQL database, and the same chats go on there — and a PostgreSQL bot's backup is
a pg_dump archive that restores into a database the bot then uses."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import ChatKey
from storage.database import Database
from storage.postgres_engine import PostgresEngine
from tests.conftest import ConfigFactory, Person, StartBot, responses_only
from tests.databases import fresh_database
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_database() -> Iterator[str]:
    yield from fresh_database(migrated=False)


@pytest.fixture
def postgres_database() -> Iterator[str]:
    yield from fresh_database()


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


async def owner_runs(*args: str, env: dict[str, str]) -> tuple[int | None, str]:
    """`python -m bot ARGS` as the owner types it: exit code and what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, output.decode()


def command_env(database: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
            "DATABASE_PATH": str(database)}  # fmt: skip


@responses_only  # the tables are the same whichever backend filled them
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the bot that moves: on SQLite
async def test_a_sqlite_bot_moves_to_postgres_and_its_chats_go_on_there(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    empty_database: str,
) -> None:
    config = make_config()
    first = await start_bot(config)
    alice.say("Remember the blue door")
    await alice.replies(1)
    alice.say("/language es")
    await alice.replies(2)
    await first.stop()
    async with Database(config.database_path) as before:
        record = await before.chats.get(ChatKey(alice.chat_id))
        spent = await before.ledger.totals([("total", "", "M" + this_month())])

    code, printed = await owner_runs(
        "migrate-to-postgres", empty_database, env=command_env(config.database_path)
    )

    assert code == 0, printed
    assert "1 conversations" in printed and "DATABASE_URL" in printed
    async with Database(PostgresEngine(empty_database)) as after:
        assert await after.chats.get(ChatKey(alice.chat_id)) == record
        assert await after.ledger.totals([("total", "", "M" + this_month())]) == spent
        assert (await after.chat_status.language(alice.chat_id)).chosen == "es"
    moved = await start_bot(make_config(env={"DATABASE_URL": empty_database}))
    alice.say("Which door?")
    await alice.replies(3)
    assert record is not None
    assert openai_server.turns[-1].conversation == record.conversation_id  # the same chat
    await moved.stop()

    again, refused = await owner_runs(
        "migrate-to-postgres", empty_database, env=command_env(config.database_path)
    )
    assert again == 1 and "already holds a bot's data" in refused


@pytest.mark.skipif(shutil.which("pg_restore") is None, reason="PostgreSQL's client programs")
@responses_only
async def test_a_postgres_backup_restores_into_a_database_the_bot_uses(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    empty_database: str,
    postgres_database: str,
    tmp_path: Path,
) -> None:
    source = postgres_database
    bot = await start_bot(make_config(env={"DATABASE_URL": source}))
    alice.say("Keep this safe")
    await alice.replies(1)

    code, printed = await owner_runs(
        "backup", str(tmp_path), env={**command_env(tmp_path / "unused"), "DATABASE_URL": source}
    )  # while the bot runs
    await bot.stop()

    assert code == 0, printed
    assert "(1 conversations)" in printed
    archive = tmp_path / "telethread.dump"
    restore = await asyncio.create_subprocess_exec(
        "pg_restore", "--no-owner", f"--dbname={empty_database}", str(archive),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await restore.communicate()
    assert restore.returncode == 0, output.decode()
    restored = await start_bot(make_config(env={"DATABASE_URL": empty_database}))
    alice.say("Still there?")
    await alice.replies(2)
    assert openai_server.turns[-1].conversation == openai_server.turns[0].conversation
    await restored.stop()
