"""What a message's attachments become for the model: checked against the owner's limits and
what the backend can take before anything is downloaded, then downloaded (a bounded number of
bytes at once, across all chats), transcribed, read or shown.

The engine knows nothing of Telegram: downloads come through a `FileSource` the chat side
provides, transcription through the backends' `Transcriber`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

from bot.backends import (
    BackendMisconfigured,
    FilePart,
    ImagePart,
    MediaSupport,
    Transcriber,
    TranscriptionFailed,
)
from bot.media.byte_budget import ByteBudget
from bot.media.estimates import attachment_tokens
from bot.media.file_source import FileSource, FileUnavailable
from bot.media.images import sniff
from bot.media.kinds import for_code, image_format
from bot.media.refusals import refusal, too_big
from bot.media.settings import IN_FLIGHT, MB, TELEGRAM_DOWNLOAD_MB, MediaSettings
from bot.media.text_files import framed, read_text
from bot.texts import Texts, render
from storage import Attachment, InboxEntry

logger = logging.getLogger(__name__)

AGAIN_MAX = 5  # earlier data files put back in a replaced container, at most

# What the model reads for a photo sent without a caption (for the model, so English).
NO_CAPTION = "[The user sent this without a comment: say what it shows, or answer what it asks.]"


class MediaRefused(Exception):
    """The attachments cannot be read: `sentence` tells the user why (nothing is answered)."""

    def __init__(self, sentence: str, log: str, *, retry: bool = False) -> None:
        super().__init__(log)
        self.sentence = sentence
        self.retry = retry


@dataclass(frozen=True, slots=True)
class ReadMedia:
    """The turn's text and parts, and what reading them cost and left to say."""

    text: str
    images: tuple[ImagePart, ...] = ()
    files: tuple[FilePart, ...] = ()
    audio_seconds: int = 0  # transcribed this time (not before a restart)
    notices: tuple[str, ...] = ()  # said before the answer: the transcript's echo, a cut file
    transcribed: tuple[Attachment, ...] | None = None  # with transcripts, to keep in the inbox
    container_files: tuple[FilePart, ...] = ()  # data for the code interpreter to read whole


@dataclass(frozen=True, slots=True)
class _Heard:
    text: str
    seconds: int  # billed now; 0 if transcribed before a restart


@dataclass(frozen=True, slots=True)
class _ForCode:
    file: FilePart


@dataclass(frozen=True, slots=True)
class _Read:
    framed: str
    note: str


class MediaReader:
    def __init__(
        self,
        settings: MediaSettings,
        support: Callable[[], MediaSupport],
        transcriber: Transcriber | None,
        files: FileSource,
    ) -> None:
        self._settings = settings
        self._support = support  # asked each time: a server may turn out not to see
        self._transcriber = transcriber
        self._files = files  # Telegram's files, downloaded
        self._budget = ByteBudget(settings.memory_mb * MB)

    def refusal(
        self, entry: InboxEntry, texts: Texts, *, code: bool = False, code_offered: bool = True
    ) -> str | None:
        """Why these attachments cannot be read (see `refusals.refusal`): no download, no cost."""
        sentence = refusal(
            entry.attachments,
            self._settings,
            self._support(),
            texts,
            can_transcribe=self._transcriber is not None,
            code=code,
            code_offered=code_offered,
        )
        if sentence is not None:
            logger.info(
                "Message %s in chat %s: %s attachment refused before download",
                entry.message_id,
                entry.key,
                "/".join(sorted({a.kind for a in entry.attachments})),
            )
        return sentence

    def input_tokens(self, entry: InboxEntry) -> int:
        """What the attachments add to the turn's input, for the budget's reservation."""
        settings = self._settings
        return sum(
            attachment_tokens(
                a, image_detail=settings.image_detail, text_limit=settings.text_inline_max_chars
            )
            for a in entry.attachments
        )

    @staticmethod
    def audio_seconds(entry: InboxEntry) -> int:
        """Seconds still to transcribe, as the senders' apps report them."""
        return sum(
            a.duration or 0 for a in entry.attachments if a.kind == "audio" and not a.transcript
        )

    @contextlib.asynccontextmanager
    async def read(
        self, entry: InboxEntry, texts: Texts, *, code: bool = False
    ) -> AsyncIterator[ReadMedia]:
        """The turn's media, held (within the byte budget) until the turn is over. `code`: data
        files go to the code interpreter whole instead of into the text."""
        if not entry.attachments:
            yield ReadMedia(entry.text)
            return
        size = sum(self._limit(a) if a.size is None else a.size for a in entry.attachments)
        async with self._budget.hold(size * IN_FLIGHT):
            yield await self._read(entry, texts, code)

    async def _read(self, entry: InboxEntry, texts: Texts, code: bool) -> ReadMedia:
        """Every attachment at once (an album's photos download in parallel), in order."""
        pieces = await asyncio.gather(
            *(self._piece(entry, n, a, texts, code) for n, a in enumerate(entry.attachments))
        )
        images = tuple(p for p in pieces if isinstance(p, ImagePart))
        files = tuple(p for p in pieces if isinstance(p, FilePart))
        heard = [p for p in pieces if isinstance(p, _Heard)]
        words = [p.text for p in heard] + [p.framed for p in pieces if isinstance(p, _Read)]
        notices: list[str] = [
            render(texts.voice_echo, transcript=p.text) for p in heard if p.seconds
        ]
        if not self._settings.voice_echo:
            notices = []
        notices += [p.note for p in pieces if isinstance(p, _Read) and p.note]
        kept = None
        if any(p.seconds for p in heard):
            transcripts = iter(heard)
            kept = tuple(
                replace(a, transcript=next(transcripts).text) if a.kind == "audio" else a
                for a in entry.attachments
            )
        return ReadMedia(
            _turn_text(entry.text, words, has_images=bool(images or files)),
            images,
            files,
            sum(p.seconds for p in heard),
            tuple(notices),
            kept,
            tuple(p.file for p in pieces if isinstance(p, _ForCode)),
        )

    async def _piece(
        self, entry: InboxEntry, n: int, attachment: Attachment, texts: Texts, code: bool
    ) -> ImagePart | FilePart | _Heard | _Read | _ForCode:
        if attachment.kind == "audio":
            transcript, billed = await self._transcript(entry, attachment, texts)
            return _Heard(transcript, billed)
        data = await self._fetch(entry, attachment, texts)
        name = attachment.filename or f"file{n + 1}"
        if code and for_code(attachment.filename, attachment.kind):
            kind = attachment.mime or "application/octet-stream"
            return _ForCode(FilePart(data, kind, name))
        if attachment.kind == "image":
            mime = sniff(data)
            if mime is None:
                raise MediaRefused(
                    render(texts.image_format_unsupported, format=image_format(attachment.mime)),
                    f"not an image the model reads ({attachment.mime})",
                )
            return ImagePart(data, mime)
        if attachment.kind == "pdf":
            if not data.startswith(b"%PDF-"):
                raise MediaRefused(render(texts.file_not_text, name=name), "not a PDF")
            return FilePart(data, "application/pdf", name)
        text = read_text(data, self._settings.text_inline_max_chars)
        if text is None:
            raise MediaRefused(render(texts.file_not_text, name=name), "not text")
        note = (
            render(texts.file_truncated, name=name, chars=f"{len(text.text):,}")
            if text.truncated
            else ""
        )
        return _Read(framed(name, text, len(data)), note)

    async def for_code_again(self, attachments: list[Attachment]) -> tuple[FilePart, ...]:
        """Data files a conversation was given before, downloaded again for a new container
        (the newest `AGAIN_MAX`; one Telegram no longer serves is left out and logged)."""
        wanted = [a for a in attachments if for_code(a.filename, a.kind)][-AGAIN_MAX:]
        if not wanted:
            return ()
        # Not held in the byte budget: this turn holds its own share already (waiting for
        # more could wait for itself), and a container expires at most every 20 minutes.
        found = []
        for n, attachment in enumerate(wanted, start=1):
            try:
                data = await self._files.fetch(attachment.file_id, self._limit(attachment))
            except FileUnavailable as exc:
                logger.warning("%s could not be fetched again: %s", attachment.filename, exc)
                continue
            mime = attachment.mime or "application/octet-stream"
            found.append(FilePart(data, mime, attachment.filename or f"file{n}"))
        return tuple(found)

    async def _transcript(
        self, entry: InboxEntry, attachment: Attachment, texts: Texts
    ) -> tuple[str, int]:
        """The attachment's words and the seconds billed for them (0: transcribed before)."""
        if attachment.transcript is not None:
            return attachment.transcript, 0
        assert self._transcriber is not None  # refusal() said so otherwise
        data = await self._fetch(entry, attachment, texts)
        try:
            transcript = await self._transcriber.transcribe(
                data, attachment.filename, attachment.mime
            )
        except TranscriptionFailed as exc:
            raise MediaRefused(
                texts.voice_not_understood, f"transcription failed: {exc}", retry=not exc.refused
            ) from exc
        except BackendMisconfigured as exc:
            logger.error("Transcription misconfigured: %s", exc)
            raise MediaRefused(
                texts.voice_unavailable, f"transcription misconfigured: {exc}"
            ) from exc
        if not transcript.text:
            raise MediaRefused(texts.voice_silent, "the transcript is empty")
        logger.info(
            "Transcribed %s s of audio for message %s in chat %s",
            transcript.seconds or attachment.duration,
            entry.message_id,
            entry.key,
        )
        return transcript.text, transcript.seconds or attachment.duration or 1

    async def _fetch(self, entry: InboxEntry, attachment: Attachment, texts: Texts) -> bytes:
        limit = self._limit(attachment)
        try:
            return await self._files.fetch(attachment.file_id, limit)
        except FileUnavailable as exc:
            if exc.size is None:
                raise MediaRefused(texts.file_download_failed, str(exc), retry=True) from exc
            raise MediaRefused(too_big(exc.size, limit, texts), str(exc)) from exc

    def _limit(self, attachment: Attachment) -> int:
        if attachment.kind == "image":
            return self._settings.image_limit()
        if attachment.kind == "audio":
            return TELEGRAM_DOWNLOAD_MB * MB
        return self._settings.document_limit()


def _turn_text(text: str, words: list[str], *, has_images: bool) -> str:
    """The caption (in groups "Name: caption"), then transcripts and files."""
    body = "\n\n".join(words)
    if not body:
        return text if text.strip(" :") or not has_images else f"{text} {NO_CAPTION}".strip()
    if not text:
        return body
    return f"{text} {body}" if text.endswith(":") else f"{text}\n\n{body}"
