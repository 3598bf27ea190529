"""Model backends behind one interface; `create_backend` picks the one the config names.

Nothing outside this package imports a backend module or an SDK type: the engine sees `Backend`,
its events and its errors only.
"""

from __future__ import annotations

import openai

from bot.backends.base import (
    TOOL_CALL_REFUSED,
    Backend,
    BackendError,
    BackendMisconfigured,
    BackendRejected,
    BackendUnavailable,
    ConversationNotFound,
    TextDelta,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.config import Config
from storage import ConversationStore

__all__ = [
    "TOOL_CALL_REFUSED",
    "Backend",
    "BackendError",
    "BackendMisconfigured",
    "BackendRejected",
    "BackendUnavailable",
    "ConversationNotFound",
    "TextDelta",
    "TurnEvent",
    "TurnInput",
    "TurnResult",
    "TurnStarted",
    "TurnStatus",
    "create_backend",
]


def create_backend(config: Config, store: ConversationStore) -> Backend:
    """The configured backend. Each is imported only when chosen: the SDK's types are large."""
    client = openai.AsyncOpenAI(
        api_key=config.openai_api_key,
        base_url=config.openai_base_url,
        timeout=60.0,
        max_retries=2,
    )
    if config.backend == "assistants":
        from bot.backends.assistants import AssistantsBackend

        return AssistantsBackend(
            client,
            store,
            model=config.openai_model,
            response_timeout=config.response_timeout,
            assistant_id=config.assistant_id,
            reasoning_effort=config.reasoning_effort,
            max_output_tokens=config.max_output_tokens,
        )
    if config.backend == "chat":
        from bot.backends.chat_completions import ChatCompletionsBackend

        return ChatCompletionsBackend(
            client,
            store,
            model=config.openai_model,
            response_timeout=config.response_timeout,
            context_tokens=config.context_tokens,
            max_output_tokens=config.max_output_tokens,
            reasoning_effort=config.reasoning_effort,
        )
    from bot.backends.responses import ResponsesBackend

    return ResponsesBackend(
        client,
        model=config.openai_model,
        response_timeout=config.response_timeout,
        reasoning_effort=config.reasoning_effort,
        max_output_tokens=config.max_output_tokens,
    )
