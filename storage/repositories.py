"""What the bot keeps, as the rest of the bot sees it: one Protocol per repository.

The engine, the backends and the handlers are typed with these; `storage.database` holds the
SQLite implementation, and a second engine implements the same protocols. Each caller is given
the repositories it uses, and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from storage.coordination import FloodBudget, Leases, Processes, UpdateJournal, WebLogins
from storage.personal_data import People, Privacy
from storage.records import (
    Attachment,
    ChatKey,
    ChatLanguage,
    ChatRecord,
    ConversationTurn,
    HistoryMessage,
    InboxEntry,
    IndexedPassage,
    LedgerRow,
    LoggedCall,
    Tool,
    Totals,
    TotalsKey,
)


class Chats(Protocol):
    """As `storage/chats.py`'s `ChatRepository` implements it."""

    async def get(self, key: ChatKey) -> ChatRecord | None: ...

    async def by_persona(self) -> dict[str, list[int]]:
        """The chats using each persona, by name, the most recently active first."""
        ...

    async def save(self, record: ChatRecord) -> None:
        """Insert or replace the chat's row; committed before this returns."""
        ...

    async def delete(self, key: ChatKey) -> None: ...

    async def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its conversations, usage and status follow it."""
        ...

    async def inactive_for(self, days: int) -> list[ChatRecord]:
        """Conversations of chats that have been inactive for at least `days` days."""
        ...


class ChatStatuses(Protocol):
    """As `storage/chat_status.py`'s `ChatStatusRepository` implements it."""

    async def allowed(self, chat_id: int) -> bool | None:
        """Whether the chat was allowed (True) or refused (False); None if never decided."""
        ...

    async def set_allowed(self, chat_id: int, allowed: bool) -> None: ...

    async def active(self, chat_id: int) -> bool: ...

    async def set_active(self, chat_id: int, active: bool) -> None:
        """Inactive: the bot was removed or blocked; kept until /reset or the retention period."""
        ...

    async def language(self, chat_id: int) -> ChatLanguage: ...

    async def set_language(self, chat_id: int, language: str | None) -> None:
        """The chat's own choice of language; None goes back to choosing automatically."""
        ...

    async def set_joined_language(self, chat_id: int, language: str) -> None: ...


class Settings(Protocol):
    """As `storage/stored_settings.py`'s `SettingsRepository` implements it."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def first_time(self, key: str) -> bool:
        """Note `key`: whether it is new (exactly one of several processes hears True)."""
        ...

    async def heartbeat(self) -> None:
        """The bot is alive and polling (read by `storage.health`)."""
        ...

    async def started(self) -> None:
        """The bot process started: the health probe says "starting" until its first heartbeat."""
        ...

    async def stopped(self) -> None:
        """The bot stopped cleanly (the health probe says so at once)."""
        ...


class Histories(Protocol):
    """As `storage/history.py`'s `HistoryRepository` implements it."""

    async def of(self, conversation_id: str) -> list[HistoryMessage]: ...

    async def append(self, conversation_id: str, messages: list[HistoryMessage]) -> None:
        """Append an exchange in one transaction: a turn is stored entirely or not at all."""
        ...

    async def compact(self, conversation_id: str, folded: int, summary: str) -> None:
        """Replace the summary (if any) and the `folded` oldest messages by `summary`."""
        ...

    async def delete(self, conversation_id: str) -> None: ...


class Inbox(Protocol):
    """As `storage/inbox.py`'s `InboxRepository` implements it."""

    async def add(
        self,
        key: ChatKey,
        *,
        message_id: int,
        private: bool,
        text: str,
        language: str = "en",
        user_id: int | None = None,
        attachments: tuple[Attachment, ...] = (),
        album_id: str | None = None,
        tool: Tool | None = None,
    ) -> InboxEntry | None:
        """Record an accepted message; None if this Telegram message was recorded before.

        Raises StorageUnavailable when the database cannot take it (locked, disk full, read-only).
        """
        ...

    async def join(
        self, key: ChatKey, album_id: str, text: str, attachments: tuple[Attachment, ...]
    ) -> InboxEntry | None:
        """Add an album's next item to the entry its first item made, if that entry has not
        started yet; None if there is none. An item already joined (Telegram delivered it
        again) is not added twice. The caller serialises an album's items (read, then write).
        """
        ...

    async def entry(self, entry_id: int) -> InboxEntry | None: ...

    async def running(
        self,
        entry_id: int,
        conversation_id: str,
        remote_id: str | None,
        ledger: LedgerRow | None = None,
        attachments: tuple[Attachment, ...] | None = None,
    ) -> None:
        """The turn started (or got its remote id); `ledger`: its reservation, same commit;
        `attachments`: as transcribed, so a resumed turn does not pay to hear them again."""
        ...

    async def answered(self, entry_id: int, reply: str, ledger: LedgerRow | None = None) -> None:
        """Keep the reply until it is sent; `ledger`: what the turn cost, in the same commit."""
        ...

    async def done(self, entry_id: int) -> None: ...

    async def failed(self, entry_id: int) -> None:
        """The model could not answer and the user was told: keep the message for a retry.

        Failed messages older than RETRY_HOURS are forgotten in the same commit.
        """
        ...

    async def retry(self, key: ChatKey, entry_id: int) -> InboxEntry | None:
        """Queue a failed message of this chat again; None if it is gone (or not failed)."""
        ...

    async def count(self) -> int:
        """Messages waiting for an answer (failed ones, kept for a retry, do not count)."""
        ...

    async def pending_in(self, chat_ids: list[int]) -> list[InboxEntry]:
        """These chats' unfinished entries (every topic), oldest first."""
        ...

    async def chats_waiting(self, *, unheld: bool = False) -> list[int]:
        """The chats with unfinished entries."""
        ...

    async def pending(self) -> list[InboxEntry]:
        """Unfinished entries, oldest first (per chat that is also the order to answer them)."""
        ...


class Ledger(Protocol):
    """As `storage/ledger.py`'s `LedgerRepository` implements it."""

    async def totals(self, keys: Iterable[TotalsKey]) -> dict[TotalsKey, Totals]:
        """Settled totals for each key (absent keys: nothing spent)."""
        ...

    async def top(self, scope: str, window: str, limit: int) -> list[tuple[str, Totals]]:
        """The scope's biggest spenders in the window (e.g. the month's top users)."""
        ...

    async def conversation_tokens(
        self, chat_id: int, topic_id: int, conversation_id: str, *, compacted_below: int = 0
    ) -> int | None:
        """How large the conversation had grown at its last settled answer (its context); after
        a compaction, at most `compacted_below` (the budget that set it off), when given."""
        ...

    async def row(self, chat_id: int, message_id: int) -> LedgerRow | None: ...

    async def turns_by_conversation(self, month: str) -> list[ConversationTurn]:
        """The month's settled answers in conversations compacted this month, in order."""
        ...

    async def settle_orphans(self) -> int:
        """At start: reservations whose message is no longer in the inbox (its turn ended in a
        crash before settling) are settled at their reserved upper bound, marked estimated."""
        ...


class Files(Protocol):
    """As `storage/remote_files.py`'s `RemoteFileRepository` implements it."""

    async def added(
        self, backend: str, conversation_id: str, file_id: str, kind: str = "file"
    ) -> None:
        """Register an upload (kind "file") or a container (kind "container")."""
        ...

    async def of(self, backend: str, conversation_id: str) -> list[tuple[str, str]]:
        """(id, kind) of what the conversation left on the server, oldest first."""
        ...

    async def deleted(self, backend: str, file_id: str) -> None: ...

    async def count(self) -> int: ...

    async def chat_files_added(
        self, key: ChatKey, conversation_id: str, attachments: tuple[Attachment, ...]
    ) -> None: ...

    async def chat_files(self, key: ChatKey, conversation_id: str) -> list[Attachment]:
        """The documents this conversation was given, oldest first."""
        ...

    async def chat_files_forgotten(self, key: ChatKey) -> None:
        """The chat's conversation was replaced or deleted: its documents go with it."""
        ...


class FunctionCalls(Protocol):
    """As `storage/call_log.py`'s `FunctionCallRepository` implements it."""

    async def of(self, entry_id: int, call_key: str) -> LoggedCall | None: ...

    async def started(self, entry_id: int, call_key: str) -> None:
        """Before the call runs: a restart from now on finds it cut short."""
        ...

    async def finished(self, entry_id: int, call_key: str, output: str) -> None: ...


class KnowledgeIndex(Protocol):
    """As `storage/knowledge_index.py`'s `KnowledgeIndexRepository` implements it."""

    async def documents(self, library: str) -> dict[str, str]:
        """The library's documents: path → sha256."""
        ...

    async def passages(self, library: str) -> list[IndexedPassage]: ...

    async def replace(
        self, library: str, path: str, sha256: str, passages: list[tuple[str, bytes]]
    ) -> None: ...

    async def remove(self, library: str, path: str) -> None: ...


class Store(Protocol):
    """Every repository, for the composition root and the engine's facade, which hand each
    collaborator the ones it uses."""

    @property
    def chats(self) -> Chats: ...
    @property
    def chat_status(self) -> ChatStatuses: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def history(self) -> Histories: ...
    @property
    def inbox(self) -> Inbox: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def files(self) -> Files: ...
    @property
    def calls(self) -> FunctionCalls: ...
    @property
    def knowledge(self) -> KnowledgeIndex: ...
    @property
    def journal(self) -> UpdateJournal: ...
    @property
    def leases(self) -> Leases: ...
    @property
    def processes(self) -> Processes: ...
    @property
    def flood(self) -> FloodBudget: ...
    @property
    def web_logins(self) -> WebLogins: ...
    @property
    def privacy(self) -> Privacy: ...
    @property
    def people(self) -> People: ...
