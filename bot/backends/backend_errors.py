"""The errors a backend raises, by what the engine does about them; a message is for the log,
never the user."""

from __future__ import annotations


class BackendError(Exception):
    """Base of the errors a backend raises; the message is for the log, never the user."""


class ConversationNotFound(BackendError):
    """The remote conversation no longer exists (deleted or expired)."""


class BackendUnavailable(BackendError):
    """Transient trouble (network, 429, 5xx) that outlasted our retries."""


class BackendMisconfigured(BackendError):
    """Authentication, permission or model problems only the owner can fix."""


class QuotaExhausted(BackendMisconfigured):
    """The account's credit is used up (429 insufficient_quota): calls fail until the owner
    adds credit or raises the project's limit."""


class BackendRejected(BackendError):
    """The request itself was refused (400): retrying the same input will not help."""


class MediaUnsupported(BackendRejected):
    """The model cannot take this kind of input (a text-only model sent an image)."""


class TranscriptionFailed(BackendError):
    """Audio could not be turned into text; `refused`: the server rejected this file."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused
