"""The one small interface every model backend implements, and the results and errors it speaks.

The engine sees only these types: it never learns which API, SDK or server answers.
"""

from __future__ import annotations

import enum
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.backends.turn_tools import (
    FunctionCall,
    FunctionCaller,
    FunctionSpec,
    KnowledgeCopy,
    KnowledgeFile,
)
from bot.media.settings import ImageSettings
from storage import HistoryMessage, ImageTokens, TokenUsage, Tool, ToolCounts


class TurnStatus(enum.Enum):
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"  # partial text; `incomplete_reason` says why
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"  # our deadline passed; the remote work was cancelled


# `TurnResult.error_code` when the model asked for a tool the bot does not provide.
TOOL_CALL_REFUSED = "tool_call_refused"


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image the model is shown: its bytes (never a URL: Telegram's hold the bot token)."""

    data: bytes = field(repr=False)
    mime: str  # one the model's server accepts: JPEG, PNG, WEBP or GIF


@dataclass(frozen=True, slots=True)
class FilePart:
    """A document the model reads as a file (a PDF)."""

    data: bytes = field(repr=False)
    mime: str
    filename: str


ArtifactKind = Literal["container", "image", "file"]


@dataclass(frozen=True, slots=True)
class Artifact:
    """A file the model made, by reference: fetched with `Backend.fetch_artifact` when it is
    delivered, so an answer interrupted by a restart still delivers it (and no bytes are kept).

    `kind` "container": a file the code wrote, in container `source` until it expires;
    "image": a generated image, item `file_id` of response `source`; "file": a file in the
    server's Files API (the legacy code interpreter's output), `source` its thread.
    """

    source: str
    file_id: str
    filename: str
    kind: ArtifactKind = "container"


@dataclass(frozen=True, slots=True)
class TurnInput:
    text: str
    instructions: str
    max_output_tokens: int | None = None  # this turn's cap, when a budget lowers the owner's
    images: tuple[ImagePart, ...] = ()
    files: tuple[FilePart, ...] = ()
    tools: tuple[Tool, ...] = ()  # hosted tools the persona uses (only ones the backend offers)
    container_files: tuple[FilePart, ...] = ()  # the user's data, for the code interpreter
    tool_choice: str | None = None  # a tool the model must use (/image: image_generation)
    # The data files the conversation was given before this turn, fetched only when asked for:
    # a container that replaced an expired one gets them again.
    earlier_files: Callable[[], Awaitable[tuple[FilePart, ...]]] | None = None
    functions: tuple[FunctionSpec, ...] = ()  # the owner's tools the model may call
    call_function: FunctionCaller | None = None  # runs them (the engine's: it may ask first)
    # The persona's documents on the server (a vector store's id), searched with file_search.
    knowledge: str | None = None
    # Set by a backend's function loop only: the turn goes on after these calls, with these
    # outputs (and no new message).
    function_outputs: tuple[tuple[FunctionCall, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MediaSupport:
    """What a backend can show its model besides text (voice is transcribed for all of them)."""

    images: bool
    pdf: bool


@dataclass(frozen=True, slots=True)
class TurnResult:
    status: TurnStatus
    text: str = ""
    response_id: str | None = None
    usage: TokenUsage | None = None
    error_code: str | None = None
    incomplete_reason: str | None = None
    model: str | None = None  # the model that served it (a snapshot name), if the API says
    citations: tuple[tuple[str, str], ...] = ()  # (title, url) of the web pages it cites
    tools_used: ToolCounts | None = None  # web searches, container sessions: priced per call
    artifacts: tuple[Artifact, ...] = ()  # files the code wrote (charts, tables…), images made
    container_replaced: bool = False  # the code's container had expired: its files are gone
    files_restored: tuple[str, ...] = ()  # names of earlier files put in its replacement
    image_tokens: ImageTokens | None = None  # None: no image made, or the server did not say
    images_refused: int = 0  # image generations the server refused (moderation, …)
    compacted: bool = False  # the conversation was compacted first (in `usage` too)
    function_calls: tuple[FunctionCall, ...] = ()  # the model waits for their outputs


@dataclass(frozen=True, slots=True)
class TurnStarted:
    """The remote side accepted the turn; `remote_id` names its response or run."""

    remote_id: str


@dataclass(frozen=True, slots=True)
class TextDelta:
    """More of the answer, as the model writes it (only when streaming)."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolStarted:
    """A hosted tool began its work (running code, searching, drawing): something to show
    while no text comes (only when streaming)."""

    tool: Tool


TurnEvent = TurnStarted | TextDelta | ToolStarted | TurnResult


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    seconds: int | None  # as the server billed it, if it says


class Transcriber(Protocol):
    """Audio to text on a server of its own (TRANSCRIPTION_BASE_URL); the engine's view of it."""

    @property
    def model(self) -> str: ...

    async def start(self) -> None:
        """Get ready before any chat waits (e.g. load the SDK's module)."""
        ...

    async def transcribe(self, data: bytes, filename: str | None, mime: str | None) -> Transcript:
        """The text; raises TranscriptionFailed (or BackendMisconfigured for a wrong key)."""
        ...


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """How every backend asks for an answer; built once from the config and passed whole."""

    model: str
    response_timeout: float  # seconds until a turn is cancelled and reported as timed out
    reasoning_effort: str | None = None
    max_output_tokens: int | None = None
    image_detail: str = "high"
    file_detail: str = "low"
    poll_interval: tuple[float, float] = (0.25, 1.5)  # first and longest wait between polls
    images: ImageSettings = field(default_factory=ImageSettings)
    # Past this many input tokens a conversation is compacted (None: it grows to the window).
    context_budget: int | None = None
    prompt_cache_ttl: str | None = None  # how long the API keeps a chat's prefix ("12h")

    def output_cap(self, turn: TurnInput) -> int | None:
        """The turn's own cap (a budget's), else the configured MAX_OUTPUT_TOKENS."""
        return turn.max_output_tokens or self.max_output_tokens

    def deadline(self) -> float:
        """The monotonic time by which a turn starting now must end."""
        return time.monotonic() + self.response_timeout


class Backend(Protocol):
    """A place where conversations live and turns are answered."""

    @property
    def name(self) -> str:
        """Stored with each chat, so ids of another backend are never sent to this one."""
        ...

    @property
    def tools(self) -> frozenset[Tool]:
        """The hosted tools a persona may use here; the others are left out (and said so)."""
        ...

    @property
    def media(self) -> MediaSupport:
        """What the engine may put in `TurnInput.images` and `.files` (checked before any
        download, so an unsupported file costs nothing)."""
        ...

    async def start(self) -> None:
        """Get ready to serve (e.g. find or create the assistant); called once at start-up.

        The HTTP client belongs to whoever created the backend, and is closed by them.
        """
        ...

    async def create_conversation(self, metadata: dict[str, str]) -> str: ...

    async def sync_knowledge(
        self, name: str, files: tuple[KnowledgeFile, ...]
    ) -> KnowledgeCopy | None:
        """Make the server's copy of knowledge `name` hold exactly `files` (uploading only
        what changed): its handle for `TurnInput.knowledge` and what it can search; None
        where the backend cannot search documents."""
        ...

    async def delete_conversation(self, conversation_id: str) -> None:
        """Delete it; an id that is already gone is not an error."""
        ...

    def run_turn(
        self, conversation_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        """Answer one user message: events as they happen, ending with exactly one TurnResult.

        With `stream`, the answer also arrives as TextDeltas while it is written, where the
        backend can; without it (or where it cannot), only the final result carries the text.
        Raises BackendError when the turn could not run at all.
        """
        ...

    def resume_turn(
        self, conversation_id: str, remote_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        """Pick up a turn started before a restart, by its remote id, without starting it again.

        Backends with no remote state of a turn (Chat Completions) simply run it again.
        """
        ...

    async def history(self, conversation_id: str, limit: int) -> list[HistoryMessage]:
        """The conversation's last `limit` messages with text, user's and model's, oldest
        first (the web page's history); tool calls, files and summaries are left out."""
        ...

    async def add_context(self, conversation_id: str, text: str) -> None:
        """Add a user message to the conversation without asking for an answer."""
        ...

    async def cancel_turn(self, conversation_id: str, remote_id: str) -> None:
        """Stop a turn the user no longer wants (best effort; errors are logged, not raised)."""
        ...

    async def fetch_artifact(self, artifact: Artifact) -> bytes:
        """The bytes of a file a turn's code wrote; BackendError if it is gone."""
        ...
