"""The SQLite file: one connection (WAL), its migrations, and a repository per concern.

Storage knows nothing about Telegram or OpenAI types. Each repository (chats, chat status,
settings, history, inbox, ledger, files) is a small class over the one connection; a caller
is given the ones it uses.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from types import TracebackType

import aiosqlite

from storage.call_log import FunctionCallRepository
from storage.chat_status import ChatStatusRepository
from storage.chats import ChatRepository
from storage.history import HistoryRepository
from storage.inbox import InboxRepository
from storage.knowledge_index import KnowledgeIndexRepository
from storage.ledger import LedgerRepository
from storage.migrations import MIGRATIONS
from storage.records import StorageUnavailable
from storage.remote_files import RemoteFileRepository
from storage.stored_settings import SettingsRepository

logger = logging.getLogger(__name__)


class Database:
    """The bot's SQLite file (WAL mode, one connection) and its repositories."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._db: aiosqlite.Connection | None = None
        self.chats = ChatRepository(self)
        self.chat_status = ChatStatusRepository(self)
        self.settings = SettingsRepository(self)
        self.history = HistoryRepository(self)
        self.inbox = InboxRepository(self)
        self.ledger = LedgerRepository(self)
        self.files = RemoteFileRepository(self)
        self.calls = FunctionCallRepository(self)
        self.knowledge = KnowledgeIndexRepository(self)

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

    async def __aenter__(self) -> Database:
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
            raise RuntimeError("the database is not open")
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
