"""The SQLite repository: which remote conversation and persona each chat uses, and more.

This is the only module that knows SQL. It knows nothing about Telegram or OpenAI types.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from types import TracebackType

import aiosqlite

from storage.health import HEARTBEAT_KEY, STARTED_KEY
from storage.inbox import InboxQueries
from storage.ledger import LedgerQueries
from storage.migrations import MIGRATIONS
from storage.records import (
    ChatKey,
    ChatLanguage,
    ChatRecord,
    HistoryMessage,
    StorageUnavailable,
)
from storage.remote_files import RemoteFileQueries
from storage.writes import commit, write

logger = logging.getLogger(__name__)


class ConversationStore(InboxQueries, LedgerQueries, RemoteFileQueries):
    """Async repository over one SQLite file (WAL mode, one connection)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        """Open (creating) the database; StorageUnavailable says why it cannot be used.

        Opening an open store does nothing (the process opens it before reaching Telegram)."""
        if self._db is not None:
            return
        try:
            await self._open()
        except (sqlite3.Error, OSError) as exc:
            if self._db is not None:
                await self._db.close()
                self._db = None
            raise StorageUnavailable(f"cannot use the database at {self._path}: {exc}") from exc

    async def _open(self) -> None:
        if self._path != Path(":memory:"):
            self._path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self._path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a crash of the bot (what the inbox needs), without an
        # fsync per commit; only a power cut can lose the last moments.
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("PRAGMA busy_timeout=5000")
        await self._db.execute("PRAGMA foreign_keys=ON")
        await self._migrate()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def __aenter__(self) -> ConversationStore:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("ConversationStore is not open")
        return self._db

    async def _migrate(self) -> None:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            if version:  # a new database's migrations are no news: one line below says it
                logger.info("Applying database migration %d", number)
            await self.db.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        if not version:
            logger.info("Created the database at %s (schema %d)", self._path, len(MIGRATIONS))

    async def get_chat(self, key: ChatKey) -> ChatRecord | None:
        async with self.db.execute(
            "SELECT backend, conversation_id, persona FROM chats"
            " WHERE chat_id = ? AND topic_id = ?",
            (key.chat_id, key.topic_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return ChatRecord(key=key, backend=row[0], conversation_id=row[1], persona=row[2])

    async def save_chat(self, record: ChatRecord) -> None:
        """Insert or replace the chat's row; committed before this returns."""
        await write(
            self.db,
            "save the chat's conversation",
            """
            INSERT INTO chats (chat_id, topic_id, backend, conversation_id, persona)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (chat_id, topic_id) DO UPDATE SET
                backend = excluded.backend,
                conversation_id = excluded.conversation_id,
                persona = excluded.persona,
                updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
            """,
            (
                record.key.chat_id,
                record.key.topic_id,
                record.backend,
                record.conversation_id,
                record.persona,
            ),
        )

    # -- settings -----------------------------------------------------------------------------

    async def get_setting(self, key: str) -> str | None:
        async with self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def set_setting(self, key: str, value: str) -> None:
        await write(
            self.db,
            "save a setting",
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def heartbeat(self) -> None:
        """The bot is alive and polling (read by `storage.health`)."""
        await self.set_setting(HEARTBEAT_KEY, repr(time.time()))

    async def started(self) -> None:
        """The bot process started: the health probe says "starting" until its first heartbeat."""
        await self.set_setting(STARTED_KEY, repr(time.time()))

    # -- local conversation history -----------------------------------------------------------

    async def history(self, conversation_id: str) -> list[HistoryMessage]:
        async with self.db.execute(
            "SELECT role, content FROM local_messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [HistoryMessage(role=row[0], content=row[1]) for row in rows]

    async def append_history(self, conversation_id: str, messages: list[HistoryMessage]) -> None:
        """Append an exchange in one transaction: a turn is stored entirely or not at all."""
        insert = "INSERT INTO local_messages (conversation_id, role, content) VALUES (?, ?, ?)"
        await commit(
            self.db,
            "save the conversation's history",
            [(insert, (conversation_id, m.role, m.content)) for m in messages],
        )

    async def delete_history(self, conversation_id: str) -> None:
        await write(
            self.db,
            "delete the conversation's history",
            "DELETE FROM local_messages WHERE conversation_id = ?",
            (conversation_id,),
        )

    # -- chat status: allowed groups, chats the bot can no longer write to ----------------------

    async def chat_allowed(self, chat_id: int) -> bool | None:
        """Whether the chat was allowed (True) or refused (False); None if never decided."""
        async with self.db.execute(
            "SELECT allowed FROM chat_status WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None or row[0] is None else bool(row[0])

    async def set_chat_allowed(self, chat_id: int, allowed: bool) -> None:
        await write(
            self.db,
            "save whether the chat is allowed",
            "INSERT INTO chat_status (chat_id, allowed) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET allowed = excluded.allowed",
            (chat_id, int(allowed)),
        )

    async def set_chat_active(self, chat_id: int, active: bool) -> None:
        """Inactive: the bot was removed or blocked; kept until /reset or the retention period."""
        await write(
            self.db,
            "save whether the chat is reachable",
            """
            INSERT INTO chat_status (chat_id, active, inactive_since)
            VALUES (?1, ?2, CASE WHEN ?2 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END)
            ON CONFLICT (chat_id) DO UPDATE SET
                active = excluded.active,
                inactive_since = CASE
                    WHEN excluded.active THEN NULL
                    ELSE COALESCE(chat_status.inactive_since, excluded.inactive_since)
                END
            """,
            (chat_id, int(active)),
        )

    async def chat_language(self, chat_id: int) -> ChatLanguage:
        async with self.db.execute(
            "SELECT language, joined_language FROM chat_status WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return ChatLanguage() if row is None else ChatLanguage(row[0], row[1])

    async def set_chat_language(self, chat_id: int, language: str | None) -> None:
        """The chat's own choice of language; None goes back to choosing automatically."""
        await write(
            self.db,
            "save the chat's language",
            "INSERT INTO chat_status (chat_id, language) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language",
            (chat_id, language),
        )

    async def set_joined_language(self, chat_id: int, language: str) -> None:
        await write(
            self.db,
            "save the chat's language",
            "INSERT INTO chat_status (chat_id, joined_language) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET joined_language = excluded.joined_language",
            (chat_id, language),
        )

    async def chat_active(self, chat_id: int) -> bool:
        async with self.db.execute(
            "SELECT active FROM chat_status WHERE chat_id = ?", (chat_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return row is None or bool(row[0])

    async def chats_inactive_for(self, days: int) -> list[ChatRecord]:
        """Conversations of chats that have been inactive for at least `days` days."""
        async with self.db.execute(
            """
            SELECT c.chat_id, c.topic_id, c.backend, c.conversation_id, c.persona
            FROM chats c JOIN chat_status s ON s.chat_id = c.chat_id
            WHERE s.active = 0 AND s.inactive_since <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)
            """,
            (f"-{days} days",),
        ) as cursor:
            rows = await cursor.fetchall()
        return [ChatRecord(ChatKey(r[0], r[1]), r[2], r[3], r[4]) for r in rows]

    async def delete_chat(self, key: ChatKey) -> None:
        await write(
            self.db,
            "delete the chat's conversation",
            "DELETE FROM chats WHERE chat_id = ? AND topic_id = ?",
            (key.chat_id, key.topic_id),
        )

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its conversations, usage and status follow it."""
        async with self.db.execute(
            "SELECT 1 FROM chats WHERE chat_id = ?", (new_chat_id,)
        ) as cursor:
            if await cursor.fetchone() is not None:
                return  # already moved (the service message and the send error both report it)
        await commit(
            self.db,
            "move the chat's conversations",
            [
                (f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id))
                for table in ("chats", "ledger", "chat_status")
            ],
        )
