"""The user's message of a Responses turn: its text, and its images and files — small ones
inline as data URLs (nothing to delete later), big ones uploaded and registered, as base64 in a
JSON body would take five times their size in memory while sent."""

from __future__ import annotations

from typing import Any

import openai

from bot.backends.base import ModelSettings, TurnInput
from bot.backends.openai_calls import data_url
from bot.backends.uploads import upload
from storage.repositories import Files

INLINE_MAX = 1_000_000  # bytes: bigger images and files are uploaded instead of inlined


class UserMessage:
    def __init__(
        self,
        client: openai.AsyncOpenAI,
        files: Files | None,
        settings: ModelSettings,
        backend: str,
    ) -> None:
        self._client = client
        self._files = files
        self._settings = settings
        self.name = backend

    async def build(
        self, conversation_id: str, turn: TurnInput, paths: list[str]
    ) -> str | list[dict[str, Any]]:
        """Plain text, or text with images and files; files placed in the code interpreter's
        container are named by their paths."""
        text = turn.text
        if paths:
            text += "\n\n[Files for your code: " + ", ".join(paths) + "]"
        if not turn.images and not turn.files:
            return text
        content: list[dict[str, Any]] = [{"type": "input_text", "text": text}]
        for n, image in enumerate(turn.images, start=1):
            source = await self._source(
                conversation_id, image.data, image.mime, f"image{n}", "image_url"
            )
            content.append({"type": "input_image", **source, "detail": self._settings.image_detail})
        for file in turn.files:
            source = await self._source(
                conversation_id, file.data, file.mime, file.filename, "file_data"
            )
            content.append(
                {
                    "type": "input_file",
                    "filename": file.filename,
                    **source,
                    "detail": self._settings.file_detail,
                }
            )
        return [{"type": "message", "role": "user", "content": content}]

    async def _source(
        self, conversation_id: str, data: bytes, mime: str, name: str, inline_key: str
    ) -> dict[str, str]:
        if len(data) <= INLINE_MAX or self._files is None:
            return {inline_key: data_url(mime, data)}
        file_id = await upload(
            self._client, self._files, self.name, conversation_id, (name, data, mime), "user_data"
        )
        return {"file_id": file_id}
