"""Images the model draws on the Responses backend: the image tool's definition, and the images
a response made — held (base64, by item id) from the end of the turn until they are delivered,
and read from the response again by its id when they are not (after a restart)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

from bot.backends.backend_errors import (
    BackendRejected,
)
from bot.backends.base import (
    Artifact,
)
from bot.backends.openai_calls import translated
from bot.backends.responses_api.response_data import ResponseData, generated_images
from bot.media.settings import ImageSettings

KEPT = 8  # images held until delivered (~2 MB each); older ones are read again if needed


def image_tool(settings: ImageSettings) -> dict[str, Any]:
    return {
        "type": "image_generation",
        "model": settings.model,
        "quality": settings.quality,
        "size": settings.size,
        "output_format": "png",
    }


class Drawings:
    def __init__(self) -> None:
        self._held: dict[str, str] = {}

    def keep(self, response: ResponseData) -> None:
        """Hold the images a finished response made until they are delivered."""
        self._held.update(generated_images(response))
        while len(self._held) > KEPT:
            self._held.pop(next(iter(self._held)))

    async def fetch(
        self, artifact: Artifact, retrieve: Callable[[str], Awaitable[ResponseData]]
    ) -> bytes:
        """The image's bytes: held, or read from its response (`retrieve` by id)."""
        encoded = self._held.pop(artifact.file_id, None)
        if encoded is None:
            with translated():
                response = await retrieve(artifact.source)
            encoded = generated_images(response).get(artifact.file_id)
        if encoded is None:
            raise BackendRejected(f"image {artifact.file_id} is not in {artifact.source}")
        try:
            return base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise BackendRejected(f"image {artifact.file_id} is not base64: {exc}") from exc
