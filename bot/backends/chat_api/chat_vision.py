"""Images on a Chat Completions server: sent as data-URL parts, and every way a server that
cannot see refuses them turned into one `MediaUnsupported` — remembered, so later images are
refused without a call. The history keeps a note instead of the image."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any, cast

from openai.types.chat import ChatCompletionMessageParam

from bot.backends.backend_errors import (
    BackendError,
    BackendRejected,
    MediaUnsupported,
)
from bot.backends.base import (
    TurnInput,
)
from bot.backends.openai_calls import data_url
from bot.media.settings import ChatVision

logger = logging.getLogger(__name__)

# How servers without vision refuse an image: OpenAI, llama.cpp (a 500), vLLM, Ollama, LM Studio.
NO_VISION = (
    "image_url is only supported",
    "image input is not supported",
    "mmproj",
    "not a multimodal model",
    "does not support image",
    "model does not support images",
    "vision add-on is not loaded",
    "does not support vision",
    # llama-cpp-python's server with a text-only chat format: a 500 from joining the parts.
    'can only concatenate str (not "list") to str',
)
UNEXPLAINED_LIMIT = 2  # image turns refused in a row, for no reason given, mean "cannot see"


class Vision:
    def __init__(self, setting: ChatVision, detail: str) -> None:
        # CHAT_VISION=auto: images are tried until the server refuses one, then refused here.
        self.can_see = setting != "off"
        self._detail = detail
        self._unexplained = 0  # image turns failed with a 4xx/5xx that names no reason

    def user_message(self, turn: TurnInput) -> ChatCompletionMessageParam:
        if not turn.images:
            return {"role": "user", "content": turn.text}
        parts: list[dict[str, Any]] = [{"type": "text", "text": turn.text}]
        parts += [
            {
                "type": "image_url",
                "image_url": {
                    "url": data_url(image.mime, image.data),
                    "detail": self._detail,
                },
            }
            for image in turn.images
        ]
        return cast(ChatCompletionMessageParam, {"role": "user", "content": parts})

    @contextlib.contextmanager
    def seeing(self, turn: TurnInput) -> Iterator[None]:
        """A refusal of the images becomes MediaUnsupported, and later images are refused
        here without a call (until a restart: the owner may load a projector meanwhile)."""
        try:
            yield
        except BackendError as exc:
            status = getattr(exc.__cause__, "status_code", 200)
            said = str(exc.__cause__).lower()
            if not turn.images or status in (401, 403, 404, 408, 409, 429):
                raise
            explained = any(m.lower() in said for m in NO_VISION)
            if not explained and not isinstance(exc, BackendRejected) and status < 400:
                raise  # the connection, not the request
            self._unexplained = 0 if explained else self._unexplained + 1
            if explained or self._unexplained >= UNEXPLAINED_LIMIT:
                self.can_see = False
                logger.warning("The model server cannot read images (%s); refusing them", exc)
            else:
                logger.warning("The model server refused an image (%s)", exc)
            raise MediaUnsupported(f"the model cannot read images: {exc}") from exc
        else:
            if turn.images:
                self._unexplained = 0


def remembered(turn: TurnInput) -> str:
    """What the history keeps of the user's message: the text, and that images came with it."""
    if not turn.images:
        return turn.text
    note = (
        "[a photo was attached]"
        if len(turn.images) == 1
        else (f"[{len(turn.images)} photos were attached]")
    )
    return f"{turn.text}\n{note}".strip()
