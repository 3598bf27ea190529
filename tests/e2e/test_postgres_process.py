"""PostgreSQL's faults under the real process (`python -m bot`), on a cluster of the test's own
that the test stops and starts: down at start, lost while running, a database that is not
there — and never the password of DATABASE_URL in what the bot writes."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.texts import ENGLISH
from tests.conftest import Person, fake_env
from tests.e2e.test_process import run_to_exit, start_process
from tests.e2e.test_startup import lines_until
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram
from tests.servers.postgres import PostgresCluster

# The test cluster trusts loopback, so any password is taken; the bot must still hide it.
PASSWORD = "Pg-pass-4f1c9e7b"


def url_with_password(cluster: PostgresCluster, database: str = "postgres") -> str:
    return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{cluster.port}/{database}"


async def bot_on(
    cluster: PostgresCluster, telegram: FakeTelegram, openai_server: FakeOpenAI, folder: Path
) -> asyncio.subprocess.Process:
    """`python -m bot` on the cluster (its password in the URL), its output read as it comes."""
    env = fake_env(telegram, openai_server, folder / "unused.sqlite3", url_with_password(cluster))
    return await start_process({**env, "LOG_LEVEL": "INFO"}, folder, live=True)


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    return output.decode()


def assert_nothing_secret(log: str, telegram: FakeTelegram, openai_server: FakeOpenAI) -> None:
    assert "Traceback" not in log
    for secret in (PASSWORD, telegram.token, openai_server.api_key):
        assert secret not in log


async def test_a_database_server_down_at_start_is_waited_for_then_used(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alice: Person,
    tmp_path: Path,
    cluster: PostgresCluster,
) -> None:
    await asyncio.to_thread(cluster.halt)
    process = await bot_on(cluster, telegram, openai_server, tmp_path)
    waiting = ""
    try:
        waiting = await lines_until(process, lambda printed: "attempt 2" in printed)
        await asyncio.to_thread(cluster.resume)
        alice.say("Are you there?")
        [answer] = await alice.replies(1, within=30)
    finally:
        log = waiting + await stop(process)

    assert answer.endswith("to: Are you there?")
    assert "The database is not reachable (attempt 1: " in waiting
    assert "the database server is not answering" in waiting
    assert f"postgres@127.0.0.1:{cluster.port}/postgres" in waiting  # where, without the password
    assert process.returncode == 0, log
    assert_nothing_secret(log, telegram, openai_server)


async def test_a_database_lost_while_running_is_told_and_the_bot_recovers_by_itself(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alice: Person,
    tmp_path: Path,
    cluster: PostgresCluster,
) -> None:
    process = await bot_on(cluster, telegram, openai_server, tmp_path)
    thinking = asyncio.Event()
    try:
        alice.say("before the outage")
        await alice.replies(1, within=30)
        openai_server.replies.append(Reply(hold=thinking))
        alice.say("taken before the outage")
        await telegram.wait_until(lambda: len(openai_server.turns) == 2, within=30)
        await asyncio.to_thread(cluster.halt)
        thinking.set()  # its answer comes while the database is away
        await alice.replies(2, within=30)
        alice.say("during the outage")
        await alice.replies(3, within=30)
        await asyncio.to_thread(cluster.resume)
        alice.say("after the outage")
        replies = await alice.replies(4, within=30)
    finally:
        log = await stop(process)

    assert replies[0].endswith("to: before the outage")
    assert replies[1].endswith("to: taken before the outage")  # acknowledged: not lost
    assert replies[2] == ENGLISH.storage_unavailable, log
    assert replies[3].endswith("to: after the outage")  # no restart needed
    assert "the database server is not answering" in log
    assert "psycopg.pool" not in log  # the bot's own lines say it, once per write
    asked = [t.input for t in openai_server.turns]
    assert asked == ["before the outage", "taken before the outage", "after the outage"]
    assert process.returncode == 0, log
    assert_nothing_secret(log, telegram, openai_server)


async def test_a_database_that_does_not_exist_is_named_at_once(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path, cluster: PostgresCluster
) -> None:
    url = url_with_password(cluster, "no_such_database")
    env = fake_env(telegram, openai_server, tmp_path / "unused.sqlite3", url)

    code, log = await run_to_exit(env, tmp_path)

    assert code == 2, log
    assert 'database "no_such_database" does not exist' in log
    assert "(check DATABASE_URL)" in log
    assert "not reachable" not in log  # no waiting: a name is wrong, not a server away
    assert_nothing_secret(log, telegram, openai_server)
