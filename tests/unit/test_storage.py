"""The repositories on both engines (mapping, upserts, the inbox, history), and each engine's
own side: migrations on open, WAL for SQLite."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from storage import ChatKey, ChatRecord, HistoryMessage
from storage.backup import backup
from storage.database import Database
from storage.engines import now_text
from storage.migrations import MIGRATIONS
from tests.unit.sqlite_access import sqlite_of


async def test_a_chat_row_round_trips_and_is_replaced_on_save(store: Database) -> None:
    key = ChatKey(-1001234567890123, 7)  # a supergroup's id passes 32 bits
    assert await store.chats.get(key) is None

    await store.chats.save(ChatRecord(key, "responses", "conv_1", "assistant"))
    await store.chats.save(ChatRecord(key, "responses", "conv_2", "tutor"))

    assert await store.chats.get(key) == ChatRecord(key, "responses", "conv_2", "tutor")
    assert await store.chats.get(ChatKey(-1001234567890123)) is None


async def test_the_chats_using_each_persona_are_listed(store: Database) -> None:
    await store.chats.save(ChatRecord(ChatKey(1), "responses", "conv_1", "tutor"))
    await store.chats.save(ChatRecord(ChatKey(-100, 3), "responses", "conv_2", "tutor"))
    await store.chats.save(ChatRecord(ChatKey(2), "responses", "conv_3", "assistant"))

    found = await store.chats.by_persona()

    assert sorted(found["tutor"]) == [-100, 1] and found["assistant"] == [2]


async def test_data_survives_reopening_and_migrations_run_once(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "db.sqlite3"
    async with Database(path) as store:
        await store.chats.save(ChatRecord(ChatKey(1), "responses", "conv_1", "assistant"))

    async with Database(path) as store:
        assert (await store.chats.get(ChatKey(1))) is not None
        async with sqlite_of(store).execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone()) == (len(MIGRATIONS),)
        async with sqlite_of(store).execute("PRAGMA journal_mode") as cursor:
            assert (await cursor.fetchone()) == ("wal",)


async def test_a_backup_into_a_folder_is_named_after_the_database(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as store:
        await store.chats.save(ChatRecord(ChatKey(1), "responses", "conv_1", "assistant"))
    (tmp_path / "backups").mkdir()

    assert backup(tmp_path / "bot.sqlite3", tmp_path / "backups") == 1
    async with Database(tmp_path / "backups" / "bot.sqlite3") as copy:
        assert (await copy.chats.get(ChatKey(1))) is not None


async def test_a_failed_message_waits_for_a_retry_for_a_day_in_its_own_chat_only(
    store: Database,
) -> None:
    old = await store.inbox.add(ChatKey(1), message_id=1, private=True, text="old")
    new = await store.inbox.add(ChatKey(1), message_id=2, private=True, text="new")
    assert old is not None and new is not None
    await store.inbox.failed(old.id)
    await store.engine.commit(
        "age a message",
        [("UPDATE inbox SET created_at = ? WHERE id = ?", (now_text(timedelta(hours=25)), old.id))],
    )
    await store.inbox.failed(new.id)  # forgets failures older than a day

    assert await store.inbox.pending() == [] and await store.inbox.count() == 0
    assert await store.inbox.retry(ChatKey(1), old.id) is None  # too old
    assert await store.inbox.retry(ChatKey(2), new.id) is None  # another chat's
    retried = await store.inbox.retry(ChatKey(1), new.id)
    assert retried is not None and (retried.text, retried.state) == ("new", "received")
    assert await store.inbox.retry(ChatKey(1), new.id) is None  # once


async def test_a_compacted_history_keeps_one_summary_first_and_the_newest_turns(
    store: Database,
) -> None:
    said = [HistoryMessage("user" if n % 2 == 0 else "assistant", f"m{n}") for n in range(10)]
    await store.history.append("local_1", said)
    await store.history.compact("local_1", 4, "first summary")
    once = await store.history.of("local_1")
    await store.history.compact("local_1", 2, "second summary")
    twice = await store.history.of("local_1")
    await store.history.compact("local_2", 2, "nothing there")
    empty = await store.history.of("local_2")

    assert once == [HistoryMessage("summary", "first summary"), *said[4:]]
    assert twice == [HistoryMessage("summary", "second summary"), *said[6:]]
    assert empty == []


async def test_a_group_moves_to_its_supergroup_even_if_the_new_id_has_a_status(
    store: Database,
) -> None:
    old, new = -4001, -1004001
    await store.chats.save(ChatRecord(ChatKey(old), "responses", "conv_1", "assistant"))
    await store.chat_status.set_language(old, "es")
    await store.chat_status.set_allowed(old, True)
    await store.chat_status.set_active(new, True)  # its first update came first

    await store.chats.move(old, new)

    assert await store.chats.get(ChatKey(new)) == ChatRecord(
        ChatKey(new), "responses", "conv_1", "assistant"
    )
    assert (await store.chat_status.language(new)).chosen == "es"
    assert await store.chat_status.allowed(new) is True
    assert await store.chat_status.allowed(old) is None  # nothing left behind
