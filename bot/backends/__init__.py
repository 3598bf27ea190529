"""Model backends behind one interface; `create_backend` picks the one the config names.

Nothing outside this package imports a backend module or an SDK type: the engine sees `Backend`,
its events and its errors only. The package never imports Telegram, the engine or handlers.
"""

from __future__ import annotations

import ssl

import openai

from bot.backends.backend_errors import (
    BackendError,
    BackendMisconfigured,
    BackendRejected,
    BackendUnavailable,
    ConversationNotFound,
    MediaUnsupported,
    QuotaExhausted,
    TranscriptionFailed,
)
from bot.backends.base import (
    TOOL_CALL_REFUSED,
    Artifact,
    Backend,
    FilePart,
    ImagePart,
    MediaSupport,
    ModelSettings,
    TextDelta,
    ToolStarted,
    Transcriber,
    Transcript,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.backends.openai_calls import http_client
from bot.backends.turn_tools import (
    FunctionCall,
    FunctionCaller,
    FunctionSpec,
    KnowledgeCopy,
    KnowledgeFile,
)
from bot.config import Config
from storage.repositories import Store

__all__ = [
    "TOOL_CALL_REFUSED",
    "Artifact",
    "Backend",
    "BackendError",
    "BackendMisconfigured",
    "BackendRejected",
    "BackendUnavailable",
    "ConversationNotFound",
    "FilePart",
    "FunctionCall",
    "FunctionCaller",
    "FunctionSpec",
    "ImagePart",
    "KnowledgeCopy",
    "KnowledgeFile",
    "MediaSupport",
    "MediaUnsupported",
    "ModelClient",
    "ModelSettings",
    "QuotaExhausted",
    "TextDelta",
    "ToolStarted",
    "Transcriber",
    "Transcript",
    "TranscriptionFailed",
    "TurnEvent",
    "TurnInput",
    "TurnResult",
    "TurnStarted",
    "TurnStatus",
    "create_backend",
    "create_client",
]

# The HTTP client every backend speaks through; opaque to the rest of the bot.
ModelClient = openai.AsyncOpenAI


def create_client(config: Config, tls: ssl.SSLContext | None = None) -> ModelClient:
    """The client for OPENAI_BASE_URL; its creator closes it (`await client.close()`).

    `tls`: the bot's one TLS context (loading the CA bundle takes ~30 ms per client)."""
    return openai.AsyncOpenAI(
        api_key=config.openai_api_key,
        base_url=config.openai_base_url,
        timeout=60.0,
        max_retries=2,
        http_client=http_client(tls),
    )


def create_backend(config: Config, store: Store, client: ModelClient) -> Backend:
    """The configured backend. Each is imported only when chosen: the SDK's types are large."""
    settings = ModelSettings(
        model=config.openai_model,
        response_timeout=config.response_timeout,
        reasoning_effort=config.reasoning_effort,
        max_output_tokens=config.max_output_tokens,
        image_detail=config.media.image_detail,
        file_detail=config.media.file_detail,
        images=config.media.drawing,
        context_budget=config.context_budget_tokens,
        prompt_cache_ttl=config.prompt_cache_ttl,
    )
    if config.backend == "assistants":
        from bot.backends.threads_api.assistants import AssistantsBackend

        return AssistantsBackend(
            client, settings, store.settings, store.files, assistant_id=config.assistant_id
        )
    if config.backend == "chat":
        from bot.backends.chat_api.chat_completions import ChatCompletionsBackend

        return ChatCompletionsBackend(
            client,
            settings,
            store.history,
            context_tokens=config.context_tokens,
            vision=config.media.chat_vision,
            index=store.knowledge,
            embedding_model=config.embedding_model,
        )
    from bot.backends.responses_api.responses import ResponsesBackend

    return ResponsesBackend(client, settings, store.files, store.settings)
