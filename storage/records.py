"""The record types every layer speaks: chats, inbox entries, history and token usage.

Plain frozen dataclasses with no behaviour beyond their own shape; they import nothing from the
bot, so the engine, the backends and the handlers can all use them without depending on SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

# "failed": the user was told the model could not answer, and may press "Try again" for a day.
InboxState: TypeAlias = Literal["received", "running", "answered", "failed"]
HistoryRole: TypeAlias = Literal["user", "assistant"]


class StorageUnavailable(Exception):
    """The database cannot be written (locked, full, read-only); the message says why."""


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
class InboxEntry:
    """A user message the bot has accepted and not yet finished with."""

    id: int
    key: ChatKey
    message_id: int
    private: bool
    text: str
    state: InboxState
    conversation_id: str | None = None
    remote_id: str | None = None
    reply: str | None = None  # JSON of what to send, once the turn is over
    language: str = "en"  # what the answer is written in, chosen when the message arrived


@dataclass(frozen=True, slots=True)
class ChatLanguage:
    """A chat's stored language settings (names as the bot's catalogues spell them)."""

    chosen: str | None = None  # the chat's own choice; None: automatic
    joined: str | None = None  # the language of whoever added the bot to the group


@dataclass(frozen=True, slots=True)
class HistoryMessage:
    role: HistoryRole
    content: str


@dataclass(frozen=True, slots=True)
class TokenUsage:
    input_tokens: int
    output_tokens: int
