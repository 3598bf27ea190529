"""Whether an attachment can be read, decided from what Telegram said of it (its kind, size and
length) before anything is downloaded, so a refusal costs nothing. Pure: the owner's settings,
what the backend can take and the user's language come in; a sentence (or None) goes out."""

from __future__ import annotations

from bot.backends import MediaSupport
from bot.media.settings import MB, TELEGRAM_DOWNLOAD_MB, MediaSettings
from bot.texts import Texts, render
from storage import Attachment


def refusal(
    attachments: tuple[Attachment, ...] | list[Attachment],
    settings: MediaSettings,
    support: MediaSupport,
    texts: Texts,
    *,
    can_transcribe: bool,
    code: bool = False,
    code_offered: bool = True,
) -> str | None:
    """Why these attachments cannot be read, or None if they can. `code`: the turn's persona
    runs code (reads spreadsheets); `code_offered`: some persona could (else none is
    suggested)."""
    for attachment in attachments:
        sentence = _one(attachment, settings, support, texts, can_transcribe)
        if sentence is None and attachment.kind == "data" and not code:
            needs = texts.spreadsheet_needs_code if code_offered else texts.spreadsheet_unreadable
            sentence = render(needs, name=attachment.filename or "")
        if sentence is not None:
            return sentence
    return None


def _one(
    attachment: Attachment,
    settings: MediaSettings,
    support: MediaSupport,
    texts: Texts,
    can_transcribe: bool,
) -> str | None:
    kind, size = attachment.kind, attachment.size or 0
    if size > TELEGRAM_DOWNLOAD_MB * MB:
        return render(texts.file_too_big_for_telegram, size=mb(size))
    if kind == "audio":
        if attachment.transcript is not None:
            return None
        if not settings.voice or not can_transcribe:
            return texts.voice_unavailable
        duration = attachment.duration or 0
        if duration > settings.voice_max_seconds:
            return render(
                texts.voice_too_long,
                duration=_clock(duration),
                limit=_clock(settings.voice_max_seconds),
            )
        return None
    if kind == "image":
        if not settings.images or not support.images:
            return texts.images_unavailable
        limit = settings.image_limit()
    else:
        if not settings.documents:
            return texts.documents_unavailable
        if kind == "pdf" and not support.pdf:
            return texts.pdf_unavailable
        limit = settings.document_limit()
    if size > limit:
        return render(texts.file_too_big, size=mb(size), limit=mb(limit))
    return None


def too_big(size: int, limit: int, texts: Texts) -> str:
    """The sentence for a file found bigger than `limit` (or than Telegram lets bots fetch)."""
    if size > TELEGRAM_DOWNLOAD_MB * MB or limit >= TELEGRAM_DOWNLOAD_MB * MB:
        return render(texts.file_too_big_for_telegram, size=mb(size))
    return render(texts.file_too_big, size=mb(size), limit=mb(limit))


def mb(size: int) -> str:
    """Megabytes as Telegram counts them, without a needless ".0"."""
    return f"{size / MB:.1f}".removesuffix(".0")


def _clock(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"
