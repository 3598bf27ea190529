"""The owner's media settings (MEDIA_*, IMAGE_DETAIL, TRANSCRIPTION_*, …), read for `load_config`.

Transcription talks to its own server: by default OpenAI's when the chat model is OpenAI's, and
nothing (voice notes politely refused) when the chat model is a local server, whose own
transcription endpoint, if it has one, the owner names with TRANSCRIPTION_BASE_URL.
"""

from __future__ import annotations

from typing import get_args

from bot.config.env_reader import EnvReader
from bot.media.settings import (
    IMAGE_SIZE,
    TELEGRAM_DOWNLOAD_MB,
    ChatVision,
    FileDetail,
    ImageDetail,
    ImageQuality,
    ImageSettings,
    MediaSettings,
    Transcription,
)

DEFAULT_TRANSCRIPTION_MODEL = "gpt-transcribe"  # the others are retired on 2027-02-26


def read_media(read: EnvReader, *, base_url: str | None, api_key: str) -> MediaSettings:
    defaults = MediaSettings()
    return MediaSettings(
        images=read.flag("MEDIA_IMAGES", defaults.images),
        voice=read.flag("MEDIA_VOICE", defaults.voice),
        documents=read.flag("MEDIA_DOCUMENTS", defaults.documents),
        image_detail=read.choice("IMAGE_DETAIL", get_args(ImageDetail), defaults.image_detail),
        file_detail=read.choice("FILE_DETAIL", get_args(FileDetail), defaults.file_detail),
        max_image_mb=_megabytes(read, "MAX_IMAGE_MB", defaults.max_image_mb),
        max_document_mb=_megabytes(read, "MAX_DOCUMENT_MB", defaults.max_document_mb),
        voice_max_seconds=read.whole("VOICE_MAX_SECONDS", defaults.voice_max_seconds)
        or defaults.voice_max_seconds,
        text_inline_max_chars=read.whole("TEXT_INLINE_MAX_CHARS", defaults.text_inline_max_chars)
        or defaults.text_inline_max_chars,
        album_wait=read.seconds("ALBUM_WAIT_MS", defaults.album_wait * 1000, minimum=0) / 1000,
        voice_echo=read.flag("VOICE_ECHO_TRANSCRIPT", defaults.voice_echo),
        chat_vision=read.choice("CHAT_VISION", get_args(ChatVision), defaults.chat_vision),
        memory_mb=read.whole("MEDIA_MEMORY_MB", defaults.memory_mb) or defaults.memory_mb,
        transcription=_transcription(read, base_url=base_url, api_key=api_key),
        drawing=_drawing(read),
    )


def _drawing(read: EnvReader) -> ImageSettings:
    defaults = ImageSettings()
    size = (read.text("IMAGE_SIZE") or defaults.size).lower()
    if not IMAGE_SIZE.match(size):
        read.problems.append(
            f"IMAGE_SIZE must be auto or WIDTHxHEIGHT (e.g. 1024x1024), got {size!r}"
        )
        size = defaults.size
    return ImageSettings(
        model=read.text("IMAGE_MODEL") or defaults.model,
        quality=read.choice("IMAGE_QUALITY", get_args(ImageQuality), defaults.quality),
        size=size,
        command=read.flag("IMAGE_COMMAND", defaults.command),
    )


def _transcription(read: EnvReader, *, base_url: str | None, api_key: str) -> Transcription:
    own_url = read.url("TRANSCRIPTION_BASE_URL")
    url = own_url or base_url
    openai_hosted = url is None or "api.openai.com" in url
    model = read.text("TRANSCRIPTION_MODEL")
    if model is None and (own_url is not None or openai_hosted):
        model = DEFAULT_TRANSCRIPTION_MODEL
    if model is not None and model.lower() in ("off", "none"):
        model = None
    return Transcription(
        model=model,
        base_url=url,
        api_key=read.text("TRANSCRIPTION_API_KEY") or api_key,
        language=read.text("TRANSCRIPTION_LANGUAGE"),
    )


def _megabytes(read: EnvReader, name: str, fallback: float) -> float:
    return read.number(
        name,
        fallback,
        unit="megabytes",
        within=(0, TELEGRAM_DOWNLOAD_MB),
        why="bots cannot download bigger files from Telegram",
    )
