"""Storage faults while the bot runs: each write fails whole, says why, and leaves no transaction
open, so the next write works once the fault is gone. SQLite's own switches stand in for the
faults: `max_page_count` fills the "disk", `query_only` makes the file read-only, a second
connection holds the lock (a process test fills a real file-size limit, test_storage_process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from storage import ChatKey, ChatRecord, HistoryMessage, StorageUnavailable
from storage.database import Database
from tests.unit.sqlite_access import sqlite_of

KEY = ChatKey(1)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "db.sqlite3") as opened:
        yield opened


async def page_count(store: Database) -> int:
    """The file's size in pages, with no free page left inside it."""
    await sqlite_of(store).execute("VACUUM")
    async with sqlite_of(store).execute("PRAGMA page_count") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_a_full_disk_fails_the_write_whole_and_the_next_one_works(
    store: Database,
) -> None:
    await sqlite_of(store).execute(f"PRAGMA max_page_count={await page_count(store)}")
    exchange = [HistoryMessage("user", "x" * 5000), HistoryMessage("assistant", "y" * 5000)]

    with pytest.raises(StorageUnavailable, match=r"cannot save the conversation's history: .*full"):
        await store.history.append("conv_1", exchange)

    assert not sqlite_of(store).in_transaction
    assert await store.history.of("conv_1") == []  # not half of the exchange
    await sqlite_of(store).execute("PRAGMA max_page_count=1073741823")  # space freed
    await store.history.append("conv_1", exchange)
    assert await store.history.of("conv_1") == exchange


async def test_a_full_disk_refuses_a_message_and_keeps_the_earlier_ones(
    store: Database,
) -> None:
    first = await store.inbox.add(KEY, message_id=1, private=True, text="kept")
    await sqlite_of(store).execute(f"PRAGMA max_page_count={await page_count(store)}")

    with pytest.raises(StorageUnavailable, match=r"cannot record a message"):
        for n in range(2, 200):  # until the last free page is used
            await store.inbox.add(KEY, message_id=n, private=True, text="z" * 2000)

    assert not sqlite_of(store).in_transaction
    pending = await store.inbox.pending()
    assert pending[0] == first
    assert all(entry.text in ("kept", "z" * 2000) for entry in pending)


async def test_a_read_only_database_says_so(store: Database) -> None:
    await sqlite_of(store).execute("PRAGMA query_only=ON")

    with pytest.raises(
        StorageUnavailable, match=r"cannot save the chat's conversation: .*readonly"
    ):
        await store.chats.save(ChatRecord(KEY, "responses", "conv_1", "assistant"))
    with pytest.raises(StorageUnavailable, match=r"cannot record a message"):
        await store.inbox.add(KEY, message_id=1, private=True, text="hi")

    assert not sqlite_of(store).in_transaction
    await sqlite_of(store).execute("PRAGMA query_only=OFF")
    await store.chats.save(ChatRecord(KEY, "responses", "conv_1", "assistant"))
    assert await store.chats.get(KEY) is not None


async def test_a_database_locked_by_another_process_fails_after_the_busy_wait(
    store: Database, tmp_path: Path
) -> None:
    await sqlite_of(store).execute("PRAGMA busy_timeout=50")
    async with aiosqlite.connect(tmp_path / "db.sqlite3") as other:
        await other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(
            StorageUnavailable, match=r"cannot move the chat's conversations: .*locked"
        ):
            await store.chats.move(1, 2)
        await other.rollback()

    assert not sqlite_of(store).in_transaction
    await store.chats.save(ChatRecord(KEY, "responses", "conv_1", "assistant"))
    await store.chats.move(1, 2)
    assert await store.chats.get(ChatKey(2)) is not None
