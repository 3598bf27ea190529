"""What a Telegram message carries besides text, as the engine's `Attachment` records.

Only Telegram's description is read here (ids, sizes, durations, names): nothing is downloaded
until the engine has checked the owner's limits, and only for messages it will answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from telegram import Message, PhotoSize

from bot.media.kinds import document_kind
from storage import Attachment

LOW_DETAIL_SIDE = 512  # detail "low" sees 512 px: a bigger size is downloaded for nothing


def attachments_of(message: Message, *, image_detail: str) -> tuple[Attachment, ...] | None:
    """The message's attachments; () if it has none; None if it is a file the bot cannot read."""
    mid = message.message_id
    if message.photo:
        photo = pick_photo(message.photo, image_detail)
        return (Attachment("image", photo.file_id, photo.file_unique_id, mid, photo.file_size),)
    if voice := message.voice:
        return (
            Attachment(
                "audio",
                voice.file_id,
                voice.file_unique_id,
                mid,
                voice.file_size,
                voice.mime_type or "audio/ogg",
                "voice.oga",
                _seconds(voice.duration),
            ),
        )
    if audio := message.audio:
        return (
            Attachment(
                "audio",
                audio.file_id,
                audio.file_unique_id,
                mid,
                audio.file_size,
                audio.mime_type,
                audio.file_name,
                _seconds(audio.duration),
            ),
        )
    if note := message.video_note:
        return (
            Attachment(
                "audio",
                note.file_id,
                note.file_unique_id,
                mid,
                note.file_size,
                "video/mp4",
                "video_note.mp4",
                _seconds(note.duration),
            ),
        )
    if document := message.document:
        kind = document_kind(document.mime_type, document.file_name)
        if kind is None:
            return None
        return (
            Attachment(
                kind,
                document.file_id,
                document.file_unique_id,
                mid,
                document.file_size,
                document.mime_type,
                document.file_name,
            ),
        )
    return ()


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
