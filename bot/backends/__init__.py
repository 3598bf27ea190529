"""Model backends behind one interface; `create_backend` picks the one the config asks for."""

from __future__ import annotations

import openai

from bot.backends.base import (
    Backend,
    BackendError,
    BackendMisconfigured,
    BackendRejected,
    BackendUnavailable,
    ConversationNotFound,
    TurnInput,
    TurnResult,
    TurnStatus,
)
from bot.backends.responses import ResponsesBackend
from bot.config import Config

__all__ = [
    "Backend",
    "BackendError",
    "BackendMisconfigured",
    "BackendRejected",
    "BackendUnavailable",
    "ConversationNotFound",
    "TurnInput",
    "TurnResult",
    "TurnStatus",
    "create_backend",
]


def create_backend(config: Config) -> Backend:
    client = openai.AsyncOpenAI(
        api_key=config.openai_api_key,
        base_url=config.openai_base_url,
        timeout=60.0,
        max_retries=2,
    )
    return ResponsesBackend(
        client,
        model=config.openai_model,
        response_timeout=config.response_timeout,
        reasoning_effort=config.reasoning_effort,
        max_output_tokens=config.max_output_tokens,
    )
