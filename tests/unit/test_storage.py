"""The SQLite repository: mapping, upserts, usage, migrations, WAL."""

from __future__ import annotations

from pathlib import Path

from storage import ChatKey, ChatRecord
from storage.backup import backup
from storage.conversation_store import ConversationStore
from storage.migrations import MIGRATIONS


async def test_a_chat_row_round_trips_and_is_replaced_on_save(tmp_path: Path) -> None:
    async with ConversationStore(tmp_path / "db.sqlite3") as store:
        key = ChatKey(-100, 7)
        assert await store.get_chat(key) is None

        await store.save_chat(ChatRecord(key, "responses", "conv_1", "assistant"))
        await store.save_chat(ChatRecord(key, "responses", "conv_2", "tutor"))

        assert await store.get_chat(key) == ChatRecord(key, "responses", "conv_2", "tutor")
        assert await store.get_chat(ChatKey(-100)) is None


async def test_data_survives_reopening_and_migrations_run_once(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "db.sqlite3"
    async with ConversationStore(path) as store:
        await store.save_chat(ChatRecord(ChatKey(1), "responses", "conv_1", "assistant"))

    async with ConversationStore(path) as store:
        assert (await store.get_chat(ChatKey(1))) is not None
        async with store.db.execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone()) == (len(MIGRATIONS),)
        async with store.db.execute("PRAGMA journal_mode") as cursor:
            assert (await cursor.fetchone()) == ("wal",)


async def test_a_backup_into_a_folder_is_named_after_the_database(tmp_path: Path) -> None:
    async with ConversationStore(tmp_path / "bot.sqlite3") as store:
        await store.save_chat(ChatRecord(ChatKey(1), "responses", "conv_1", "assistant"))
    (tmp_path / "backups").mkdir()

    assert backup(tmp_path / "bot.sqlite3", tmp_path / "backups") == 1
    async with ConversationStore(tmp_path / "backups" / "bot.sqlite3") as copy:
        assert (await copy.get_chat(ChatKey(1))) is not None


async def test_a_failed_message_waits_for_a_retry_for_a_day_in_its_own_chat_only(
    tmp_path: Path,
) -> None:
    async with ConversationStore(tmp_path / "db.sqlite3") as store:
        old = await store.inbox_add(ChatKey(1), message_id=1, private=True, text="old")
        new = await store.inbox_add(ChatKey(1), message_id=2, private=True, text="new")
        assert old is not None and new is not None
        await store.inbox_failed(old.id)
        await store.db.execute(
            "UPDATE inbox SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-25 hours')"
            " WHERE id = ?",
            (old.id,),
        )
        await store.inbox_failed(new.id)  # forgets failures older than a day

        assert await store.inbox_pending() == [] and await store.inbox_count() == 0
        assert await store.inbox_retry(ChatKey(1), old.id) is None  # too old
        assert await store.inbox_retry(ChatKey(2), new.id) is None  # another chat's
        retried = await store.inbox_retry(ChatKey(1), new.id)
        assert retried is not None and (retried.text, retried.state) == ("new", "received")
        assert await store.inbox_retry(ChatKey(1), new.id) is None  # once
