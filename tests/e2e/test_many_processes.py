"""Several `python -m bot` processes, one bot, on one PostgreSQL: every process takes webhooks
(through a round-robin proxy, as behind a reverse proxy) and answers the chats it holds; when
the one holding a chat dies, stops or stalls, another takes the chat over and resumes the
answer being written by its id — never asked of the model twice, never sent twice. Timings are
the benchmark's to measure; these tests check what happens."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from storage.database import Database, engine_for
from tests.conftest import Person, fake_env
from tests.e2e.test_process import OUTPUTS, hold_a_turn, start_process, wait_for_exit
from tests.e2e.test_webhooks import SECRET, free_port
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.servers.postgres import PostgresCluster
from tests.servers.round_robin import RoundRobinProxy
from tests.waiting import until

pytestmark = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)

LEASE = "3"
Process = asyncio.subprocess.Process


def printed(process: Process) -> str:
    return OUTPUTS[process].read_text(errors="replace")


async def shows(process: Process, text: str, within: float = 30) -> None:
    """Wait until the process has printed `text` (its output is a file: read every 20 ms)."""
    deadline = time.monotonic() + within
    while text not in printed(process):
        if process.returncode is not None or time.monotonic() > deadline:
            raise AssertionError(f"never printed {text!r}:\n{printed(process)}")
        await asyncio.sleep(0.02)


StartOne = Callable[..., Awaitable[Process]]  # (n, database_url=the test's database)


@pytest.fixture
async def proxy() -> AsyncIterator[RoundRobinProxy]:
    proxy = RoundRobinProxy([free_port(), free_port()])
    await proxy.start()
    yield proxy
    await proxy.stop()


@pytest.fixture
async def start_one(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    tmp_path: Path,
    database_url: str | None,
    proxy: RoundRobinProxy,
    request: pytest.FixtureRequest,
) -> AsyncIterator[StartOne]:
    """`start_one(n)`: the n-th process of the bot (0 or 1), on the proxy's n-th port (on
    another database: `start_one(n, url)`); with `polling` in the test's name, without a
    webhook. All are stopped after the test."""
    assert database_url is not None
    polling = "polling" in request.node.name
    started: list[Process] = []

    async def start(n: int, url: str | None = None) -> Process:
        env = {
            **fake_env(telegram, openai_server, tmp_path / "unused.sqlite3", url or database_url),
            "LOG_LEVEL": "INFO",
            "LEASE_SECONDS": LEASE,
            "REPLY_MODE": "poll",
            "ADMIN_USERS": "42",  # Alice
        }
        if not polling:
            env |= {
                "WEBHOOK_URL": proxy.url("/telegram"),
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": f"127.0.0.1:{proxy.ports[n]}",
            }
        process = await start_process(env, tmp_path)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.returncode is None:
            process.send_signal(signal.SIGCONT)
            process.kill()
            await process.wait()


async def two_processes(start_one: StartOne) -> tuple[Process, Process]:
    """Two processes of the bot, the first leading (it polls or set the webhook)."""
    first = await start_one(0)
    await shows(first, "This process leads")
    second = await start_one(1)
    await shows(second, "Telethread started")
    return first, second


async def holder(database_url: str, lease: str, processes: tuple[Process, Process]) -> Process:
    """The process that holds `lease` ("bot", or "chat:<id>"), by its pid in the lease."""
    async with Database(engine_for(Path("unused"), database_url)) as store:
        held = await store.leases.holder(lease)
    assert held is not None and held.seconds_left > 0, f"nobody holds {lease}"
    [found] = [p for p in processes if f":{p.pid}:" in held.holder]
    return found


async def owner_and_other(
    start_one: StartOne, telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person,
    database_url: str,
) -> tuple[Process, Process, asyncio.Event]:  # fmt: skip
    """Two processes; Alice's question held by the model: the process holding her chat, the
    other, and the event that lets the model answer."""
    processes = await two_processes(start_one)
    release = await hold_a_turn(telegram, openai_server, alice)
    owner = await holder(database_url, "chat:42", processes)
    [other] = [p for p in processes if p is not owner]
    return owner, other, release


def assert_answered_once(telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person) -> None:
    [turn] = openai_server.turns  # one model call: the second process resumed it by its id
    assert telegram.sent_texts(alice.chat_id) == [turn.text]


async def last_shared_slot(database_url: str) -> float:
    """When the bot-wide flood budget's last slot for messages ends (seconds since 1970)."""
    async with Database(engine_for(Path("unused"), database_url)) as store:
        [(tat,)] = await store.engine.rows("SELECT tat FROM flood WHERE scope = 'messages'")
        return float(tat)


async def test_every_process_takes_webhooks_and_each_update_is_answered_once_in_order(
    start_one: StartOne, proxy: RoundRobinProxy, telegram: FakeTelegram, alice: Person,
    bob: Person, carol: Person, database_url: str,
) -> None:  # fmt: skip
    first, second = await two_processes(start_one)
    for process in (first, second):  # each knows the other: they share the flood budget
        await shows(process, "Processes of the bot alive besides this one: ")
    people = (alice, bob, carol)
    for n in (1, 2, 3):
        for person in people:
            person.say(f"{person.user['first_name']} {n}")

    for person in people:
        answers = await person.replies(3, within=30)
        name = person.user["first_name"]
        assert [a.rsplit(": ", 1)[1] for a in answers] == [f"{name} {n}" for n in (1, 2, 3)]
    assert {port for port, status in proxy.forwarded if status == 200} == set(proxy.ports)
    assert telegram.webhook_sets == 1  # registered by the process that leads only
    assert "Resuming" not in printed(first) + printed(second)
    # The answers took slots of Telegram's budget for the whole bot, which both share.
    assert await last_shared_slot(database_url) > time.time() - 60

    alice.say("/status")  # answered by the process that holds Alice's chat
    report = (await alice.replies(4, within=30))[-1]
    assert " chats (this one); " in report and " chats, seen " in report
    assert f":{first.pid}:" in report and f":{second.pid}:" in report
    assert "webhook: " in report and ", 0 pending" in report


async def test_a_killed_process_is_replaced_and_its_answer_resumed_not_asked_again(
    start_one: StartOne, telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person,
    database_url: str,
) -> None:  # fmt: skip
    owner, other, release = await owner_and_other(
        start_one, telegram, openai_server, alice, database_url
    )

    owner.kill()
    await owner.wait()
    release.set()
    await alice.replies(1, within=30)

    assert_answered_once(telegram, openai_server, alice)
    assert "Resuming 1 messages of chats 42" in printed(other)


async def test_a_stopped_process_hands_over_at_once(
    start_one: StartOne, telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person,
    database_url: str,
) -> None:  # fmt: skip
    owner, other, release = await owner_and_other(
        start_one, telegram, openai_server, alice, database_url
    )

    owner.send_signal(signal.SIGTERM)
    log = await wait_for_exit(owner)
    await shows(other, "Resuming 1 messages of chats 42")
    release.set()
    await alice.replies(1, within=30)

    assert owner.returncode == 0, log
    assert "Handing over to the other processes" in log
    assert_answered_once(telegram, openai_server, alice)


async def test_a_paused_process_that_lost_its_lease_sends_nothing_when_it_wakes(
    start_one: StartOne, telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person,
    database_url: str,
) -> None:  # fmt: skip
    owner, other, release = await owner_and_other(
        start_one, telegram, openai_server, alice, database_url
    )

    owner.send_signal(signal.SIGSTOP)  # a stalled host: past its lease, the other takes over
    await shows(other, "Resuming 1 messages of chats 42")
    release.set()
    await alice.replies(1, within=30)
    owner.send_signal(signal.SIGCONT)
    log = await wait_for_exit(owner)

    assert owner.returncode == 3, log
    assert "lost its leases" in log
    assert_answered_once(telegram, openai_server, alice)


async def inbox_emptied(database_url: str) -> None:
    """Wait until the answering process has cleared its inbox (an answer sent but not yet
    cleared when its process dies is sent again by the next: at least once, by design)."""
    async with Database(engine_for(Path("unused"), database_url)) as store:

        async def empty() -> bool:
            return await store.inbox.count() == 0

        await until(empty, "the inbox is empty")


async def test_with_polling_one_process_polls_and_another_takes_over_when_it_dies(
    start_one: StartOne, telegram: FakeTelegram, alice: Person, database_url: str,
) -> None:  # fmt: skip
    first, second = await two_processes(start_one)
    alice.say("one")
    await alice.replies(1, within=30)
    await inbox_emptied(database_url)

    first.kill()  # the leader: the one that polls
    await first.wait()
    alice.say("two")

    [_, answer] = await alice.replies(2, within=30)
    assert answer.endswith("two")
    assert "This process leads" in printed(second)
    assert telegram.webhook is None


async def test_after_the_database_restarts_every_message_is_answered_once(
    cluster: PostgresCluster,  # first: stopped after the processes
    start_one: StartOne, telegram: FakeTelegram, alice: Person, bob: Person,
) -> None:  # fmt: skip
    first = await start_one(0, cluster.url)
    await shows(first, "This process leads")
    second = await start_one(1, cluster.url)
    await shows(second, "Telethread started")
    for person in (alice, bob):
        person.say("before")
        await person.replies(1, within=30)

    await asyncio.to_thread(cluster.halt)
    alice.say("while it is away")
    bob.say("while it is away")
    # Neither can renew its leases: a process that cannot know whether the other took them
    # stops (exit 3) before writing or sending again; one that saw the other go may ride the
    # outage out alone, as one process does.
    exits = [asyncio.ensure_future(process.wait()) for process in (first, second)]
    await asyncio.wait(exits, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    assert 3 in (first.returncode, second.returncode)
    await asyncio.to_thread(cluster.resume)
    for n, process in enumerate((first, second)):
        if process.returncode is not None:
            await start_one(n, cluster.url)  # what Docker's restart policy or systemd does

    for person in (alice, bob):
        answers = await person.replies(2, within=60)
        assert answers[1].endswith("while it is away")
    assert len(telegram.sent_texts(alice.chat_id)) == 2
    assert len(telegram.sent_texts(bob.chat_id)) == 2
