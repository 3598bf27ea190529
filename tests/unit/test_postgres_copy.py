"""migrate-to-postgres on files an older version made, and the cases it must refuse."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.owner_commands import migrate_to_postgres
from storage import ChatKey, ChatRecord
from storage.database import Database
from storage.postgres_copy import CopyError, copy_to_postgres
from storage.postgres_engine import PostgresEngine
from tests.databases import fresh_database
from tests.unit.test_ledger import schema_at


@pytest.fixture
def empty_url() -> Iterator[str]:
    yield from fresh_database(migrated=False)


def test_a_file_from_before_the_ledger_moves_with_its_usage_and_next_ids(
    tmp_path: Path, empty_url: str
) -> None:
    path = tmp_path / "old.sqlite3"
    with schema_at(5, path) as db:  # version 5: token usage, no ledger yet
        db.execute(
            "INSERT INTO chats (chat_id, topic_id, backend, conversation_id, persona)"
            " VALUES (-1001234567890123, 7, 'responses', 'conv_1', 'tutor')"
        )
        db.execute(
            "INSERT INTO usage (chat_id, topic_id, response_id, model, input_tokens, output_tokens,"
            " created_at) VALUES (42, 0, 'resp_1', 'gpt-6-luna', 300, 40, '2026-11-30T10:00:00Z')"
        )
        db.execute(
            "INSERT INTO inbox (chat_id, topic_id, message_id, private, text)"
            " VALUES (42, 0, 5, 1, 'still waiting')"
        )
        db.commit()

    copied = copy_to_postgres(path, empty_url)

    assert copied.counts["chats"] == 1 and copied.counts["ledger"] == 1 and copied.warning is None

    async def look() -> None:
        async with Database(PostgresEngine(empty_url)) as store:
            chat = await store.chats.get(ChatKey(-1001234567890123, 7))
            assert chat is not None and chat.persona == "tutor"
            totals = await store.ledger.totals([("chat", "42", "M2026-11")])
            assert totals[("chat", "42", "M2026-11")].answers == 1
            [waiting] = await store.inbox.pending()
            later = await store.inbox.add(ChatKey(42), message_id=6, private=True, text="new")
            assert later is not None and later.id > waiting.id  # the ids go on after the copy

    asyncio.run(look())


def test_a_database_that_holds_a_bot_already_is_refused_and_left_alone(
    tmp_path: Path, empty_url: str
) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_one_chat(path))
    copy_to_postgres(path, empty_url)

    with pytest.raises(CopyError, match="already holds a bot's data"):
        copy_to_postgres(path, empty_url)


def test_a_running_bot_is_not_copied(
    tmp_path: Path, empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_one_chat(path, heartbeat=True))

    assert migrate_to_postgres(path, empty_url) == 1
    assert "Stop the bot first" in capsys.readouterr().out


async def _one_chat(path: Path, *, heartbeat: bool = False) -> None:
    async with Database(path) as store:
        await store.chats.save(ChatRecord(ChatKey(1), "responses", "conv_1", "assistant"))
        if heartbeat:
            await store.settings.set("heartbeat", repr(time.time()))
