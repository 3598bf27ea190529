"""The one small interface every model backend implements, and the results and errors it speaks.

The engine sees only these types: it never learns which API, SDK or server answers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from storage import TokenUsage


class TurnStatus(enum.Enum):
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"  # partial text; `incomplete_reason` says why
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"  # our deadline passed; the remote work was cancelled


@dataclass(frozen=True, slots=True)
class TurnInput:
    text: str
    instructions: str


@dataclass(frozen=True, slots=True)
class TurnResult:
    status: TurnStatus
    text: str = ""
    response_id: str | None = None
    usage: TokenUsage | None = None
    error_code: str | None = None
    incomplete_reason: str | None = None


class BackendError(Exception):
    """Base of the errors a backend raises; the message is for the log, never the user."""


class ConversationNotFound(BackendError):
    """The remote conversation no longer exists (deleted or expired)."""


class BackendUnavailable(BackendError):
    """Transient trouble (network, 429, 5xx) that outlasted our retries."""


class BackendMisconfigured(BackendError):
    """Authentication, permission or model problems only the owner can fix."""


class BackendRejected(BackendError):
    """The request itself was refused (400): retrying the same input will not help."""


class Backend(Protocol):
    """A place where conversations live and turns are answered."""

    @property
    def name(self) -> str:
        """Stored with each chat, so ids of another backend are never sent to this one."""
        ...

    async def create_conversation(self, metadata: dict[str, str]) -> str: ...

    async def delete_conversation(self, conversation_id: str) -> None:
        """Delete remotely; an id that is already gone is not an error."""
        ...

    async def run_turn(self, conversation_id: str, turn: TurnInput) -> TurnResult: ...

    async def aclose(self) -> None: ...
