"""Where the engine gets the bytes of what people sent: a port the chat side implements."""

from __future__ import annotations

from typing import Protocol


class FileUnavailable(Exception):
    """The file could not be downloaded; `size` is set when it was too big (in bytes)."""

    def __init__(self, message: str, *, size: int | None = None) -> None:
        super().__init__(message)
        self.size = size


class FileSource(Protocol):
    """Downloads by Telegram file id: at most `limit` bytes, else FileUnavailable with the
    size. Never exposes the file's URL (it holds the bot token)."""

    async def fetch(self, file_id: str, limit: int) -> bytes: ...
