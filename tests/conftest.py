"""Fixtures: the fake Telegram and OpenAI servers, and the real bot running against them."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import Config, FloodLimits, load_config
from storage.database import Database, engine_for
from storage.postgres_engine import PostgresEngine
from tests.databases import ENGINES, fresh_database, own_cluster, start_cluster
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot
from tests.servers.postgres import PostgresCluster

os.environ.setdefault("PTB_TIMEDELTA", "true")

ConfigFactory = Callable[..., Config]

# tests/real runs only in its own lane (`./run.sh test-real`), against a real model server.
collect_ignore = [] if os.environ.get("TELETHREAD_REAL_LANE") else ["real"]
BACKENDS = ("responses", "assistants", "chat")
# Telegram's real limits pace a chat at a message a second; most tests need not wait for that.
RELAXED_LIMITS = FloodLimits(
    overall=(1000, 1.0), per_chat=(100, 1.0), per_group=(100, 1.0), group_span=0.01
)
# Tests of behaviour above the backends run once, on the default backend.
responses_only = pytest.mark.parametrize("backend", ["responses"], indirect=True)
# The request that runs a turn on each backend (where a test injects faults).
TURN_PATHS = {"responses": "/responses", "assistants": "/threads", "chat": "/chat/completions"}

# One TLS context for every bot the tests build: loading the CA bundle takes ~30 ms, and the
# bots talk plain HTTP to the fakes anyway.
TLS = httpx.create_ssl_context()


# Tests that must hold on both database engines (storage, and a chosen set end to end).
both_engines = pytest.mark.parametrize("engine", ENGINES, indirect=True)
CLUSTER = pytest.StashKey[PostgresCluster | None]()


def pytest_configure(config: pytest.Config) -> None:
    """The controlling process starts the run's PostgreSQL; its workers inherit the URL."""
    if not hasattr(config, "workerinput"):
        config.stash[CLUSTER] = start_cluster()


def pytest_unconfigure(config: pytest.Config) -> None:
    cluster = config.stash.get(CLUSTER, None)
    if cluster is not None:
        cluster.stop()


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The database engine: SQLite unless a test or module asks for both (`both_engines`), or
    TEST_ENGINE=postgresql runs every bot of the suite on PostgreSQL."""
    return str(getattr(request, "param", os.environ.get("TEST_ENGINE") or "sqlite"))


@pytest.fixture
def database_url(engine: str) -> Iterator[str | None]:
    """DATABASE_URL for the engine: a fresh, migrated PostgreSQL database; None for SQLite."""
    if engine == "sqlite":
        yield None
    else:
        yield from fresh_database()


@pytest.fixture(params=ENGINES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An open database on each engine (the storage tests run on both)."""
    if request.param == "sqlite":
        async with Database(tmp_path / "db.sqlite3") as opened:
            yield opened
        return
    for url in fresh_database():
        async with Database(PostgresEngine(url)) as opened:
            yield opened


def stored(config: Config) -> Database:
    """The database a bot with `config` uses, on whichever engine, to open beside or after it."""
    return Database(engine_for(config.database_path, config.database_url))


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    """A PostgreSQL server of the test's own, for tests that stop and start it."""
    yield from own_cluster()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Every end-to-end test runs against each backend; override with indirect parametrize."""
    return str(request.param)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def openai_server() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    yield fake
    await fake.stop()


def fake_env(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    database: Path,
    database_url: str | None = None,
) -> dict[str, str]:
    """The environment a real deployment would set, pointed at the fakes (and at PostgreSQL
    when `database_url` is given)."""
    return {
        **({"DATABASE_URL": database_url} if database_url else {}),
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "OPENAI_API_KEY": openai_server.api_key,
        "OPENAI_BASE_URL": openai_server.base_url,
        "TELEGRAM_BASE_URL": telegram.root_url,
        "DATABASE_PATH": str(database),
        "OPENAI_MODEL": "gpt-test",
        "ALLOWED_USERS": "*",
        "LOG_LEVEL": "DEBUG",
        # Voice goes to the fake's /audio/transcriptions (not OpenAI's by default: a local URL).
        "TRANSCRIPTION_BASE_URL": openai_server.base_url,
        "ALBUM_WAIT_MS": "400",
    }


@pytest.fixture
def reply_mode(request: pytest.FixtureRequest) -> str:
    """Stream by default; modules that must hold in both modes parametrize it indirectly."""
    return str(getattr(request, "param", "stream"))


@pytest.fixture
def make_config(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    tmp_path: Path,
    backend: str,
    reply_mode: str,
    database_url: str | None,
) -> ConfigFactory:
    """Config from environment variables (as in production), plus fast test timings."""

    def build(env: dict[str, str] | None = None, **fields: Any) -> Config:
        config = load_config(
            {
                **fake_env(telegram, openai_server, tmp_path / "bot.sqlite3", database_url),
                "BOT_BACKEND": backend,
                "REPLY_MODE": reply_mode,
                **(env or {}),
            }
        )
        fast = {
            "typing_interval": 0.2,
            "flood_limits": RELAXED_LIMITS,
            "shutdown_grace": 0.5,
            "telegram_retry": 0.2,
        }
        return dataclasses.replace(config, **{**fast, **fields})

    return build


StartBot = Callable[[Config], Awaitable[RunningBot]]


@pytest.fixture
async def start_bot(telegram: FakeTelegram, database_url: str | None) -> AsyncIterator[StartBot]:
    """Bots started by a test, stopped after it — before its PostgreSQL database is dropped (so
    the fixture asks for `database_url`: fixtures are torn down in reverse order)."""
    running: list[RunningBot] = []

    async def start(config: Config) -> RunningBot:
        bot = RunningBot(config, telegram, TLS)
        await bot.start()
        running.append(bot)
        return bot

    yield start
    for bot in reversed(running):
        if bot.app.running:
            await bot.stop()


@pytest.fixture
async def bot(start_bot: StartBot, make_config: ConfigFactory) -> RunningBot:
    return await start_bot(make_config())


@dataclasses.dataclass
class Person:
    """A Telegram user: talking to the bot in a private chat, or (`say_in`) in a group."""

    telegram: FakeTelegram
    user: dict[str, Any]
    chat: dict[str, Any]

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def say(self, text: str, **options: Any) -> dict[str, Any]:
        return self.telegram.push_message(self.chat, self.user, text, **options)

    def say_in(self, chat: dict[str, Any], text: str | None, **options: Any) -> dict[str, Any]:
        return self.telegram.push_message(chat, self.user, text, **options)

    async def replies(self, count: int, within: float = 10.0) -> list[str]:
        return await self.telegram.wait_for_messages(self.chat_id, count, within)

    async def captions(self, count: int, within: float = 10.0) -> list[str]:
        """The captions of the photos, albums and documents sent to this chat."""
        return await self.telegram.wait_for_captions(self.chat_id, count, within)


@pytest.fixture
def alice(telegram: FakeTelegram) -> Person:
    user = telegram.user(42, "Alice", last_name="Liddell", username="alice")
    return Person(telegram, user, telegram.private_chat(user))


@pytest.fixture
def bob(telegram: FakeTelegram) -> Person:
    user = telegram.user(43, "Bob")
    return Person(telegram, user, telegram.private_chat(user))


GROUP = -1001234567890


@pytest.fixture
def group(telegram: FakeTelegram) -> dict[str, Any]:
    return telegram.group_chat(GROUP, "Family")


@pytest.fixture
def carol(telegram: FakeTelegram) -> Person:
    user = telegram.user(77, "Carol", last_name="Danvers")
    return Person(telegram, user, telegram.private_chat(user))


@pytest.fixture
def dave(telegram: FakeTelegram) -> Person:
    user = telegram.user(78, "Dave")
    return Person(telegram, user, telegram.private_chat(user))
