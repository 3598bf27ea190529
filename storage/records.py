"""The record types every layer speaks: chats, inbox entries, history and token usage.

Plain frozen dataclasses with no behaviour beyond their own shape; they import nothing from the
bot, so the engine, the backends and the handlers can all use them without depending on SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias, get_args

# "failed": the user was told the model could not answer, and may press "Try again" for a day.
InboxState: TypeAlias = Literal["received", "running", "answered", "failed"]
# The hosted tools a persona may use, as the APIs name them (the inbox keeps the one asked for);
# "file_search" comes with a persona's knowledge, not its `tools`.
Tool: TypeAlias = Literal["code_interpreter", "web_search", "image_generation", "file_search"]
TOOLS: tuple[Tool, ...] = get_args(Tool)
# "summary": what the chat backend's compaction kept of the oldest turns (at most one, first).
HistoryRole: TypeAlias = Literal["user", "assistant", "summary"]


class StorageUnavailable(Exception):
    """The database cannot be written (locked, full, read-only); the message says why."""


class StorageUnreachable(StorageUnavailable):
    """The database server is not answering (down, restarting, the network away): waiting
    may cure it, unlike a wrong password or a missing database."""


@dataclass(frozen=True, slots=True)
class ChatKey:
    """A chat, or one forum topic of it (topic 0 is the chat itself)."""

    chat_id: int
    topic_id: int = 0

    def __str__(self) -> str:
        return f"{self.chat_id}/{self.topic_id}" if self.topic_id else str(self.chat_id)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a web sign-in link or session is for, with their Telegram app's language where it
    was known (the `language_code` of the /web message, or of a Mini App's launch)."""

    user_id: int
    language: str | None = None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Someone an owner let in from the web pages, or a stranger who wrote to the bot."""

    user_id: int
    first_name: str
    username: str | None
    allowed: bool  # let in by an owner (ALLOWED_USERS is not kept here)
    asks: int  # messages written while not allowed
    asked_at: str | None  # the last of them (ISO 8601, UTC)


@dataclass(frozen=True, slots=True)
class ChatRecord:
    key: ChatKey
    backend: str
    conversation_id: str | None
    persona: str


# What the engine does with an attachment: images are shown to the model, audio is transcribed,
# PDFs go as files, text-like documents are read into the turn's text; "data" (spreadsheets)
# only the code interpreter can read.
AttachmentKind: TypeAlias = Literal["image", "audio", "pdf", "text", "data"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message, as Telegram describes it: enough to download it again after
    a restart (never its bytes, never its URL, which holds the bot token)."""

    kind: AttachmentKind
    file_id: str
    file_unique_id: str
    message_id: int  # the Telegram message it came with (albums: each item its own)
    size: int | None = None
    mime: str | None = None
    filename: str | None = None
    duration: int | None = None  # seconds, as the sender's app says (audio)
    transcript: str | None = None  # audio once transcribed: a resumed turn does not pay twice


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
    user_id: int | None = None  # the sender (None: anonymous, e.g. a group's admin or channel)
    attachments: tuple[Attachment, ...] = ()
    album_id: str | None = None  # Telegram's media_group_id: an album's items join one entry
    tool: Tool | None = None  # a hosted tool the user asked for by command (/image)


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
    """Tokens as the API reports them: input includes those read from and written to the prompt
    cache; output includes reasoning."""

    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    cache_write_tokens: int = 0

    def plus(self, other: TokenUsage) -> TokenUsage:
        """Two calls' usage as one (a compaction pass and the answer it preceded)."""
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cached_tokens + other.cached_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
        )


@dataclass(frozen=True, slots=True)
class ImageTokens:
    """What image generation used, as the API reports it (`tool_usage.image_gen`): priced
    apart from the chat model's tokens."""

    text_input: int = 0
    image_input: int = 0
    output: int = 0


@dataclass(frozen=True, slots=True)
class ToolCounts:
    """Priced by count rather than by token (the media and tools issues fill these in)."""

    web_searches: int = 0
    containers: int = 0
    audio_seconds: int = 0
    images: int = 0
    compactions: int = 0  # passes that compacted the conversation (priced in its tokens)
    file_searches: int = 0  # searches of a persona's knowledge (its vector store)


# A running total's key, (scope, key, window): ("user", "42", "D2026-12-02"), ("total", "",
# "M2026-12").
TotalsKey: TypeAlias = tuple[str, str, str]
LedgerState: TypeAlias = Literal["reserved", "settled"]
LedgerSource: TypeAlias = Literal["reserved", "reported", "estimated"]


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """What one answered message cost: one row per (chat, message), replaced as it settles.

    `reserved` while its turn runs (an upper bound), then `settled` with the reported figures
    or, when the API reported none, an estimate. `day`/`month` are the budget windows' keys.
    """

    chat_id: int
    message_id: int
    topic_id: int
    user_id: int | None
    guest: bool
    conversation_id: str | None
    backend: str
    model: str
    remote_id: str | None
    state: LedgerState
    source: LedgerSource
    usage: TokenUsage
    cost_micros: int
    priced: bool
    price_ref: str | None
    day: str
    month: str
    tools: ToolCounts = ToolCounts()


@dataclass(frozen=True, slots=True)
class ConversationTurn:
    """One settled answer as compaction's report reads it."""

    conversation_id: str
    model: str
    input_tokens: int
    compacted: bool


@dataclass(frozen=True, slots=True)
class Totals:
    """Settled spend of one scope (the bot, a chat, a user, a model) in one window."""

    micros: int = 0
    estimated_micros: int = 0
    answers: int = 0
    usage: TokenUsage = TokenUsage(0, 0)
    tools: ToolCounts = ToolCounts()  # searches, container sessions, audio seconds, images


@dataclass(frozen=True, slots=True)
class LoggedCall:
    """A call of one of the owner's tools in a turn: `started` (it may have run, or not) or
    `done` with the output the model read."""

    state: Literal["started", "done"]
    output: str | None


@dataclass(frozen=True, slots=True)
class IndexedPassage:
    """A passage of one of a persona's documents, with its embedding (float32s)."""

    path: str
    text: str
    embedding: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds a named lease, since which change of holder (`epoch`), for how much longer
    (seconds, by the database's clock: negative once it has lapsed)."""

    holder: str
    epoch: int
    seconds_left: float


@dataclass(frozen=True, slots=True)
class ProcessState:
    """One process of the bot, as its last heartbeat left it (`age`: seconds since)."""

    id: str
    host: str
    pid: int
    role: str  # starting | standby | answering | stopping
    age: float
