"""Downloading what people send, from Telegram's file server, into memory.

`getFile` hands back a URL that contains the bot token: it is never logged, never leaves this
module, and never reaches the model's server (the engine sends bytes). Telegram serves every
file as `application/octet-stream`, so nothing here trusts a content type.
"""

from __future__ import annotations

import logging

from telegram import Bot, File
from telegram.error import BadRequest, TelegramError

from bot.media.file_source import FileUnavailable

logger = logging.getLogger(__name__)

TELEGRAM_CAP = 20_000_000  # getFile answers "file is too big" above this


class TelegramFiles:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def fetch(self, file_id: str, limit: int) -> bytes:
        try:
            file = await self._bot.get_file(file_id)
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise FileUnavailable("Telegram: file is too big", size=TELEGRAM_CAP + 1) from exc
            raise FileUnavailable(f"getFile refused: {exc.message}") from exc
        except TelegramError as exc:
            raise FileUnavailable(f"getFile failed: {type(exc).__name__}") from exc
        if file.file_size is not None and file.file_size > limit:
            raise FileUnavailable("over the limit", size=file.file_size)
        try:
            data = await self._download(file)
        except TelegramError as exc:
            # The exception's text may quote the URL (the token): only its class is kept.
            raise FileUnavailable(f"download failed: {type(exc).__name__}") from None
        if len(data) > limit:  # Telegram did not say the size beforehand
            raise FileUnavailable("over the limit", size=len(data))
        return data

    async def _download(self, file: File) -> bytes:
        """The bytes as the HTTP client read them: PTB's own download copies them into a
        bytearray, twice the memory for a 20 MB file at the moment it matters."""
        url = file.file_path or ""
        if not url.startswith(("http://", "https://")):  # a local Bot API server's own disk
            return bytes(await file.download_as_bytearray())
        return await self._bot.request.retrieve(url)
