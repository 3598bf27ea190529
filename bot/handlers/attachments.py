"""What a Telegram message carries besides text, as the engine's `Attachment` records.

Only Telegram's description is read here (ids, sizes, durations, names): nothing is downloaded
until the engine has checked the owner's limits, and only for messages it will answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from telegram import Message, PhotoSize

from bot.media.kinds import document_kind
from storage import Attachment, AttachmentKind

LOW_DETAIL_SIDE = 512  # detail "low" sees 512 px: a bigger size is downloaded for nothing


class _File(Protocol):
    """What every Telegram file (photo size, voice, audio, video note, document) carries."""

    @property
    def file_id(self) -> str: ...
    @property
    def file_unique_id(self) -> str: ...
    @property
    def file_size(self) -> int | None: ...


def attachments_of(message: Message, *, image_detail: str) -> tuple[Attachment, ...] | None:
    """The message's attachments; () if it has none; None if it is a file the bot cannot read."""
    if message.photo:
        photo = pick_photo(message.photo, image_detail)
        return (_attachment(message, "image", photo),)
    if voice := message.voice:
        mime = voice.mime_type or "audio/ogg"
        return (_attachment(message, "audio", voice, mime, "voice.oga", voice.duration),)
    if audio := message.audio:
        return (
            _attachment(message, "audio", audio, audio.mime_type, audio.file_name, audio.duration),
        )
    if note := message.video_note:
        return (_attachment(message, "audio", note, "video/mp4", "video_note.mp4", note.duration),)
    if document := message.document:
        kind = document_kind(document.mime_type, document.file_name)
        if kind is None:
            return None
        return (_attachment(message, kind, document, document.mime_type, document.file_name),)
    return ()


def _attachment(
    message: Message,
    kind: AttachmentKind,
    file: _File,
    mime: str | None = None,
    filename: str | None = None,
    duration: int | timedelta | None = None,
) -> Attachment:
    """One Telegram file as the inbox keeps it (its ids, never its bytes or URL)."""
    return Attachment(
        kind=kind,
        file_id=file.file_id,
        file_unique_id=file.file_unique_id,
        message_id=message.message_id,
        size=file.file_size,
        mime=mime,
        filename=filename,
        duration=_seconds(duration) if duration is not None else None,
    )


def pick_photo(sizes: Sequence[PhotoSize], image_detail: str) -> PhotoSize:
    """The largest size (Telegram already caps photos at 1280 or 2560 px); for detail "low"
    the smallest whose long side still covers what the model will see. By dimensions, not by
    list position."""
    by_area = sorted(sizes, key=lambda s: s.width * s.height)
    if image_detail == "low":
        for size in by_area:
            if max(size.width, size.height) >= LOW_DETAIL_SIDE:
                return size
    return by_area[-1]


def _seconds(duration: int | timedelta) -> int:
    """PTB gives durations as seconds, or as timedelta when PTB_TIMEDELTA is set."""
    return int(duration.total_seconds()) if isinstance(duration, timedelta) else int(duration)


def file_label(message: Message) -> str:
    """How a refusal names the file: its name, else its type."""
    document = message.document
    if document is None:
        return "this file"
    return document.file_name or document.mime_type or "this file"
