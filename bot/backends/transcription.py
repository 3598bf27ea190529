"""Voice into text: any OpenAI-compatible `/audio/transcriptions`, on a server of its own.

Separate from the chat backends on purpose: the Responses API takes no audio, and a local chat
model often sits next to a local whisper server. Telegram names voice notes `.oga`, which the
newer models refuse ("Unsupported file format oga"): Ogg is uploaded as `voice.ogg`.
"""

from __future__ import annotations

import logging
import ssl
from pathlib import PurePosixPath

import openai

from bot.backends.backend_errors import (
    BackendMisconfigured,
    TranscriptionFailed,
)
from bot.backends.base import (
    Transcript,
)
from bot.backends.openai_calls import describe, http_client, translate
from bot.media.settings import Transcription

logger = logging.getLogger(__name__)

# What the endpoint accepts, by extension; anything else Telegram sends as audio is Ogg or MP4.
ACCEPTED = {
    ".flac": "audio/flac",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".mpeg": "audio/mpeg",
    ".mpga": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".webm": "audio/webm",
}
OGG_NAMES = frozenset({".oga", ".opus", ".ogx"})


def upload_name(filename: str | None, mime: str | None) -> tuple[str, str]:
    """The name and type to upload under: one whose extension the endpoint accepts."""
    suffix = PurePosixPath((filename or "").lower()).suffix
    if suffix in ACCEPTED:
        return f"audio{suffix}", ACCEPTED[suffix]
    if suffix in OGG_NAMES or (mime or "").startswith("audio/ogg"):
        return "voice.ogg", "audio/ogg"
    if (mime or "").startswith("video/"):
        return "video.mp4", "video/mp4"
    return "voice.ogg", "audio/ogg"  # Telegram's voice notes: Ogg/Opus


class OpenAITranscriber:
    """Transcribes with its own client (TRANSCRIPTION_BASE_URL/_API_KEY), closed by its creator."""

    def __init__(self, client: openai.AsyncOpenAI, settings: Transcription) -> None:
        assert settings.model is not None
        self._client = client
        self._model = settings.model
        self._language = settings.language

    @property
    def model(self) -> str:
        return self._model

    async def start(self) -> None:
        _ = self._client.audio.transcriptions  # load the SDK's module before any chat waits

    async def transcribe(self, data: bytes, filename: str | None, mime: str | None) -> Transcript:
        name, content_type = upload_name(filename, mime)
        try:
            result = await self._client.audio.transcriptions.create(
                file=(name, data, content_type),
                model=self._model,
                language=self._language or openai.omit,
            )
        except openai.BadRequestError as exc:
            raise TranscriptionFailed(describe(exc), refused=True) from exc
        except openai.APIError as exc:
            error = translate(exc)
            if isinstance(error, BackendMisconfigured):
                raise error from exc
            raise TranscriptionFailed(describe(exc)) from exc
        usage = getattr(result, "usage", None)
        seconds = getattr(usage, "seconds", None) if usage is not None else None
        return Transcript(result.text.strip(), round(seconds) if seconds is not None else None)


def create_transcriber(
    settings: Transcription, tls: ssl.SSLContext | None = None
) -> tuple[OpenAITranscriber, openai.AsyncOpenAI] | None:
    """The transcriber and the client it owns (for the caller to close); None when off."""
    if settings.model is None:
        return None
    client = openai.AsyncOpenAI(
        api_key=settings.api_key or "none",
        base_url=settings.base_url,
        timeout=120.0,
        max_retries=2,
        http_client=http_client(tls),
    )
    return OpenAITranscriber(client, settings), client
