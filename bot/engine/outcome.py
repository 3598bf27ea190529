"""What the user reads when a turn ends: a pure function of the backend's result.

An `Outcome` is stored in the inbox before it is sent, so an answer that was ready when the bot
stopped is delivered after the restart exactly as it would have been.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.backends import (
    TOOL_CALL_REFUSED,
    Artifact,
    BackendError,
    BackendMisconfigured,
    BackendRejected,
    MediaUnsupported,
    QuotaExhausted,
    TurnResult,
    TurnStatus,
)
from bot.texts import Texts, render


@dataclass(frozen=True, slots=True)
class Outcome:
    """Notices before the answer (Telegram HTML), the model's Markdown answer, a note after it.

    The note (Telegram HTML) closes the answer, e.g. "(Stopped.)"; without an answer there is
    no note, only notices. `retry`: the model could not answer, but might if asked again (the
    user gets a "Try again" button and the inbox keeps the message).
    """

    answer: str = ""
    notices: tuple[str, ...] = ()
    note: str = ""
    retry: bool = False
    files: tuple[Artifact, ...] = ()  # what the model's code wrote: sent before the answer

    def to_json(self) -> str:
        return json.dumps(
            {
                "answer": self.answer,
                "notices": list(self.notices),
                "note": self.note,
                "retry": self.retry,
                "files": [[f.source, f.file_id, f.filename, f.kind] for f in self.files],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Outcome:
        data = json.loads(text)
        return cls(
            answer=data["answer"],
            notices=tuple(data["notices"]),
            note=data["note"],
            retry=bool(data.get("retry")),  # absent in entries stored before retries existed
            files=tuple(Artifact(*f) for f in data.get("files") or ()),
        )

    def after(self, *notices: str) -> Outcome:
        """The same outcome with `notices` said first."""
        return Outcome(self.answer, (*notices, *self.notices), self.note, self.retry, self.files)


def describe(result: TurnResult, texts: Texts, *, stopped: bool, timeout_seconds: float) -> Outcome:
    """What the user reads for a turn that ran: the answer, and what to say about its ending.

    `stopped` is whether the user pressed stop (a cancellation they asked for).
    """
    status, text = result.status, result.text
    written = bool(text.strip())
    refused = (texts.image_refused,) if result.images_refused else ()
    if status is TurnStatus.COMPLETED and result.artifacts:
        return Outcome(answer=text, notices=refused, files=result.artifacts)
    if status is TurnStatus.COMPLETED and (written or refused):
        return Outcome(answer=text, notices=refused)
    if status is TurnStatus.COMPLETED:
        return Outcome(notices=(texts.answer_empty,))
    if status is TurnStatus.INCOMPLETE:
        reason = render(texts.answer_incomplete, reason=_incomplete_reason(result, texts))
        return Outcome(answer=text, note=reason)
    if status is TurnStatus.TIMED_OUT:
        seconds = f"{timeout_seconds:g}"
        if written:  # keep what was written: the user may have watched it appear
            return Outcome(answer=text, note=render(texts.answer_timed_out_note, seconds=seconds))
        return Outcome(notices=(render(texts.answer_timed_out, seconds=seconds),), retry=True)
    if status is TurnStatus.CANCELLED and stopped:
        if written:
            return Outcome(answer=text, note=texts.answer_stopped)
        return Outcome(notices=(texts.answer_stopped,))
    if status is TurnStatus.CANCELLED:
        return Outcome(notices=(texts.answer_cancelled,), retry=True)
    if result.error_code == TOOL_CALL_REFUSED:
        return Outcome(notices=(texts.answer_tool_call,))
    if result.error_code in IMAGE_ERRORS:
        return Outcome(notices=(texts.image_unreadable,))
    return Outcome(notices=(texts.answer_failed,), retry=True)


# A response failed on the image itself (invalid_image, image_too_large, …): retrying the same
# image cannot help. The content-policy refusal is said like any other failure.
IMAGE_ERRORS = frozenset(
    {
        "invalid_image",
        "invalid_image_format",
        "invalid_base64_image",
        "image_too_large",
        "image_too_small",
        "image_parse_error",
        "unsupported_image_media_type",
        "empty_image_file",
        "failed_to_download_image",
        "image_file_not_found",
    }
)


def with_sources(answer: str, citations: tuple[tuple[str, str], ...], texts: Texts) -> str:
    """The answer (Markdown) closed by the web pages it cites, as a numbered list of links,
    and the documents it read, by name."""
    lines = [f"{n}. [{_link_text(title)}]({url.replace(')', '%29')})" if url
             else f"{n}. `{title.replace('`', chr(39))}`"
             for n, (title, url) in enumerate(citations, start=1)]  # fmt: skip
    return f"{answer.rstrip()}\n\n**{texts.sources}**\n" + "\n".join(lines)


def _link_text(title: str) -> str:
    return title.replace("[", "(").replace("]", ")").strip() or "link"


def for_error(exc: BackendError, texts: Texts) -> Outcome:
    """What the user reads when the turn could not run at all."""
    if isinstance(exc, QuotaExhausted):  # "Try again" works once the owner adds credit
        return Outcome(notices=(texts.quota_exhausted,), retry=True)
    if isinstance(exc, BackendMisconfigured):
        return Outcome(notices=(texts.backend_misconfigured,))
    if isinstance(exc, MediaUnsupported):
        return Outcome(notices=(texts.images_unavailable,))
    if isinstance(exc, BackendRejected):
        return Outcome(notices=(texts.backend_rejected,))
    return Outcome(notices=(texts.backend_unavailable,), retry=True)  # unavailable, lost twice


def _incomplete_reason(result: TurnResult, texts: Texts) -> str:
    reasons = {
        "max_output_tokens": texts.incomplete_length,
        "content_filter": texts.incomplete_content_filter,
    }
    return reasons.get(result.incomplete_reason or "", result.incomplete_reason or "") or (
        texts.incomplete_unknown
    )
