"""The owner's media settings, read once into one immutable object (see `bot.config.media_env`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

ImageDetail: TypeAlias = Literal["low", "high", "original", "auto"]
FileDetail: TypeAlias = Literal["low", "high", "auto"]
ChatVision: TypeAlias = Literal["auto", "on", "off"]

TELEGRAM_DOWNLOAD_MB = 20  # bots cannot download bigger files (getFile answers "file is too big")
MB = 1_000_000  # Telegram's megabyte, as its 20 MB cap counts
# Memory a file takes while its turn runs, per byte of it: the download (and its copy), then
# base64 in the request body and that body serialised (measured by bench/media.py).
IN_FLIGHT = 5


@dataclass(frozen=True, slots=True)
class Transcription:
    """Where voice is turned into text: any OpenAI-compatible /audio/transcriptions."""

    model: str | None  # None: transcription is off
    base_url: str | None = None  # None: OpenAI's
    api_key: str = field(default="", repr=False)
    language: str | None = None  # ISO-639-1 hint; None: the model detects it


ImageQuality: TypeAlias = Literal["low", "medium", "high", "auto"]
IMAGE_SIZE = re.compile(r"^(auto|\d{3,4}x\d{3,4})$")


# /image as users find it: IMAGE_COMMAND off, on, or on while the bot cannot draw (its backend
# has no image tool, or TOOLS_OFF names it): said to whoever asks.
ImageCommand: TypeAlias = Literal["off", "on", "unavailable"]


@dataclass(frozen=True, slots=True)
class ImageSettings:
    """How images are drawn (IMAGE_MODEL, IMAGE_QUALITY, IMAGE_SIZE) and whether anyone may ask
    for one with /image (IMAGE_COMMAND): each image is a cost (see the README's Personas)."""

    model: str = "gpt-image-2.6-sunburst"  # the SDK's default; the 1.x models are shut down
    quality: ImageQuality = "medium"
    size: str = "1024x1024"
    command: bool = False


@dataclass(frozen=True, slots=True)
class MediaSettings:
    images: bool = True
    voice: bool = True
    documents: bool = True
    image_detail: ImageDetail = "high"  # "auto" has no cost cap on current models
    file_detail: FileDetail = "low"  # PDF pages as images are expensive
    max_image_mb: float = 10.0
    max_document_mb: float = 10.0
    voice_max_seconds: int = 600
    text_inline_max_chars: int = 100_000
    album_wait: float = 1.2  # seconds after an album's last item before it is answered
    voice_echo: bool = True  # show "🎤 transcript" before the answer
    chat_vision: ChatVision = "auto"
    memory_mb: int = 100  # what files in flight may take, across all chats (see IN_FLIGHT)
    transcription: Transcription = field(default_factory=lambda: Transcription(model=None))
    drawing: ImageSettings = field(default_factory=ImageSettings)

    def image_limit(self) -> int:
        return int(min(self.max_image_mb, TELEGRAM_DOWNLOAD_MB) * MB)

    def document_limit(self) -> int:
        return int(min(self.max_document_mb, TELEGRAM_DOWNLOAD_MB) * MB)
