"""PostgreSQL's engine on a real server: lost races retried unseen, migrations from an older
schema, no password in what it says; and its pure helpers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import psycopg
import pytest

from storage import StorageUnavailable, StorageUnreachable
from storage.database import Database
from storage.migrations import MIGRATIONS
from storage.postgres_engine import PostgresEngine, describe, placeholders
from tests.databases import fresh_database


@pytest.fixture
def url() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture
def empty_url() -> Iterator[str]:
    yield from fresh_database(migrated=False)


def test_both_engines_sql_becomes_psycopg_s_and_quoted_text_is_left_alone() -> None:
    assert placeholders("SELECT ? WHERE a LIKE 'x?%' AND b = ?") == (
        "SELECT %s WHERE a LIKE 'x?%' AND b = %s"
    )
    assert placeholders("SELECT 5 % 2, 'it''s ?'") == "SELECT 5 %% 2, 'it''s ?'"


def test_a_url_is_described_without_its_password() -> None:
    described = describe("postgresql://bot:S3cret-pass@db.example.org:6432/telethread")
    assert described == "postgresql://bot@db.example.org:6432/telethread"


async def test_a_lost_serialization_race_is_retried_and_never_seen(url: str) -> None:
    async with Database(PostgresEngine(url)) as store:
        await store.engine.commit(
            "make a flaky table",
            [
                ("CREATE SEQUENCE tries", ()),
                (
                    "CREATE FUNCTION flaky() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    " IF nextval('tries') <= 2 THEN RAISE EXCEPTION 'could not serialize'"
                    " USING ERRCODE = '40001'; END IF; RETURN NEW; END $$",
                    (),
                ),
                (
                    "CREATE TRIGGER flaky BEFORE INSERT ON settings"
                    " FOR EACH ROW EXECUTE FUNCTION flaky()",
                    (),
                ),
            ],
        )

        await store.settings.set("colour", "blue")  # fails twice underneath

        assert await store.settings.get("colour") == "blue"
        assert await store.engine.rows("SELECT last_value FROM tries") == [(3,)]


async def test_a_deadlock_between_two_writes_is_retried_and_both_land(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "storage.database")
    async with Database(PostgresEngine(url)) as store:
        await store.settings.set("a", "0")
        await store.settings.set("b", "0")

        def crossing(first: str, second: str) -> list[tuple[str, tuple[object, ...]]]:
            update = "UPDATE settings SET value = (value::int + 1)::text WHERE key = ?"
            return [(update, (first,)), ("SELECT pg_sleep(0.3)", ()), (update, (second,))]

        await asyncio.gather(
            store.engine.commit("cross one way", crossing("a", "b")),
            store.engine.commit("cross the other", crossing("b", "a")),
        )

        assert (await store.settings.get("a"), await store.settings.get("b")) == ("2", "2")
    assert "Retrying a transaction (DeadlockDetected)" in caplog.text


async def test_a_database_from_an_older_version_migrates_on_open(empty_url: str) -> None:
    with psycopg.connect(empty_url, autocommit=True) as older:  # as version 11 left it
        for migration in MIGRATIONS[:11]:
            older.execute(migration.postgres)
        older.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        older.execute("INSERT INTO schema_version VALUES (11)")
        older.execute(
            "INSERT INTO ledger (chat_id, message_id, backend, model, state, source, cost_micros,"
            " day, month) VALUES (1, 1, 'responses', 'm', 'settled', 'reported', 500,"
            " '2026-12-01', '2026-12')"
        )

    async with Database(PostgresEngine(empty_url)) as store:
        totals = await store.ledger.totals([("total", "", "M2026-12")])
        assert totals[("total", "", "M2026-12")].micros == 500
        assert await store.engine.rows("SELECT version FROM schema_version") == [(len(MIGRATIONS),)]
        await store.knowledge.replace("lib", "a.md", "sha", [("text", b"\x00\x01")])  # 14's table


async def test_a_wrong_database_name_is_no_outage_and_names_no_password(url: str) -> None:
    base, _, _ = url.rpartition("/")
    wrong = base.replace("postgres@", "postgres:Hidden-pass-123@") + "/no_such_db"
    with pytest.raises(StorageUnavailable) as refused:
        await Database(PostgresEngine(wrong)).open()

    assert not isinstance(refused.value, StorageUnreachable)
    assert "no_such_db" in str(refused.value) and "Hidden-pass-123" not in str(refused.value)
