"""The SQLite repository: which remote conversation and persona each chat uses, and token usage.

This is the only module that knows SQL. It knows nothing about Telegram or OpenAI types.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import aiosqlite

from storage.migrations import MIGRATIONS

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChatKey:
    """A chat, or one forum topic of it (topic 0 is the chat itself)."""

    chat_id: int
    topic_id: int = 0

    def __str__(self) -> str:
        return f"{self.chat_id}/{self.topic_id}" if self.topic_id else str(self.chat_id)


@dataclass(frozen=True, slots=True)
class ChatRecord:
    key: ChatKey
    backend: str
    conversation_id: str | None
    persona: str


@dataclass(frozen=True, slots=True)
class HistoryMessage:
    role: str  # "user" | "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class TokenUsage:
    input_tokens: int
    output_tokens: int


class ConversationStore:
    """Async repository over one SQLite file (WAL mode, one connection)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        if self._path != Path(":memory:"):
            self._path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self._path)
        await self._db.execute("PRAGMA journal_mode=WAL")
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
            logger.info("Applying database migration %d", number)
            await self.db.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

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
        await self.db.execute(
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
        await self.db.commit()

    async def record_usage(
        self, key: ChatKey, *, response_id: str | None, model: str, usage: TokenUsage
    ) -> None:
        await self.db.execute(
            "INSERT INTO usage (chat_id, topic_id, response_id, model, input_tokens, output_tokens)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                key.chat_id,
                key.topic_id,
                response_id,
                model,
                usage.input_tokens,
                usage.output_tokens,
            ),
        )
        await self.db.commit()

    async def usage_for(self, key: ChatKey) -> TokenUsage:
        async with self.db.execute(
            "SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)"
            " FROM usage WHERE chat_id = ? AND topic_id = ?",
            (key.chat_id, key.topic_id),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return TokenUsage(input_tokens=int(row[0]), output_tokens=int(row[1]))

    # -- settings -----------------------------------------------------------------------------

    async def get_setting(self, key: str) -> str | None:
        async with self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row else None

    async def set_setting(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        await self.db.commit()

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
        await self.db.executemany(
            "INSERT INTO local_messages (conversation_id, role, content) VALUES (?, ?, ?)",
            [(conversation_id, m.role, m.content) for m in messages],
        )
        await self.db.commit()

    async def delete_history(self, conversation_id: str) -> None:
        await self.db.execute(
            "DELETE FROM local_messages WHERE conversation_id = ?", (conversation_id,)
        )
        await self.db.commit()
