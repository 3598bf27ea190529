"""The bot's database — a SQLite file, or a PostgreSQL server — and a repository per concern.

Storage knows nothing about Telegram or OpenAI types. Each repository (chats, chat status,
settings, history, inbox, ledger, files, tool calls, knowledge; the webhook journal, leases and
processes) is a small class whose SQL both
engines run; a caller is given the ones it uses and never learns which engine is open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from storage.call_log import FunctionCallRepository
from storage.chat_status import ChatStatusRepository
from storage.chats import ChatRepository
from storage.engines import Engine
from storage.flood import FloodRepository
from storage.history import HistoryRepository
from storage.inbox import InboxRepository
from storage.knowledge_index import KnowledgeIndexRepository
from storage.leases import LeaseRepository, ProcessRepository
from storage.ledger import LedgerRepository
from storage.people import PeopleRepository
from storage.privacy import PrivacyRepository
from storage.remote_files import RemoteFileRepository
from storage.sqlite_engine import SqliteEngine
from storage.stored_settings import SettingsRepository
from storage.update_journal import UpdateJournalRepository
from storage.web_logins import WebLoginRepository


def engine_for(path: Path, url: str | None = None, *, pool_size: int = 10) -> Engine:
    """PostgreSQL when `url` (DATABASE_URL) is given, else the SQLite file at `path`. The
    driver is imported only then: a SQLite bot does not carry psycopg (~20 MB, measured)."""
    if url:
        from storage.postgres_engine import PostgresEngine

        return PostgresEngine(url, pool_size=pool_size)
    return SqliteEngine(path)


class Database:
    """The database (`where`: a SQLite file's path, or an engine) and its repositories.

    `fence`, if given, is asked before every write: the process that answers checks there that
    its lease has not lapsed (`bot.ingress.lease_gate`), so a process that was paused and lost
    it writes nothing more."""

    def __init__(self, where: Path | Engine, fence: Callable[[], None] | None = None) -> None:
        self.engine: Engine = SqliteEngine(where) if isinstance(where, Path) else where
        self._fence = fence
        self.chats = ChatRepository(self)
        self.chat_status = ChatStatusRepository(self)
        self.settings = SettingsRepository(self)
        self.history = HistoryRepository(self)
        self.inbox = InboxRepository(self)
        self.ledger = LedgerRepository(self)
        self.files = RemoteFileRepository(self)
        self.calls = FunctionCallRepository(self)
        self.knowledge = KnowledgeIndexRepository(self)
        self.journal = UpdateJournalRepository(self)
        self.leases = LeaseRepository(self)
        self.processes = ProcessRepository(self)
        self.flood = FloodRepository(self)
        self.web_logins = WebLoginRepository(self)
        self.privacy = PrivacyRepository(self)
        self.people = PeopleRepository(self)

    def guard(self) -> None:
        if self._fence is not None:
            self._fence()

    async def open(self) -> None:
        """Open (creating and migrating) the database; StorageUnavailable says why it cannot
        be used, StorageUnreachable that its server is not answering (yet).

        Opening an open store does nothing (the process opens it before reaching Telegram)."""
        await self.engine.open()

    async def close(self) -> None:
        await self.engine.close()

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
