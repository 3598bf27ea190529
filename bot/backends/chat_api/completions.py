"""One Chat Completions call, whole or streamed: its options (the cache key, the cap, the
owner's functions), a parameter the server refuses left out from then on, and the result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any, cast

import openai
from openai import AsyncStream
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

from bot.backends.backend_errors import (
    BackendRejected,
)
from bot.backends.base import (
    ModelSettings,
    TextDelta,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
)
from bot.backends.chat_api.chat_results import chat_result, chat_usage
from bot.backends.chat_api.function_messages import StreamedCalls
from bot.backends.function_rounds import function_tools
from bot.backends.openai_calls import OptionalParameters, cache_key, until_deadline
from bot.backends.turn_tools import FunctionCall
from storage import TokenUsage


class Completions:
    def __init__(
        self,
        client: openai.AsyncOpenAI,
        settings: ModelSettings,
        optional: OptionalParameters,
        names: tuple[str, ...],
    ) -> None:
        self._client = client
        self._settings = settings
        self._optional = optional
        self._names = names  # the optional parameters

    def options(self, turn: TurnInput, conversation_id: str) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self._optional.wanted("prompt_cache_key"):
            options["prompt_cache_key"] = cache_key(conversation_id)
        if self._settings.prompt_cache_ttl and self._optional.wanted("prompt_cache_options"):
            options["prompt_cache_options"] = {"ttl": self._settings.prompt_cache_ttl}
        if cap := self._settings.output_cap(turn):
            options["max_tokens"] = cap
        if self._settings.reasoning_effort:
            options["reasoning_effort"] = self._settings.reasoning_effort
        if turn.functions:
            options["tools"] = function_tools(turn.functions)
        return options

    async def complete(
        self,
        messages: list[ChatCompletionMessageParam],
        options: dict[str, Any],
        deadline: float,
        *,
        images: bool = False,
    ) -> TurnResult:
        # A server that cannot see refuses every retry alike (llama.cpp with a 500).
        client = self._client.with_options(max_retries=0) if images else self._client
        async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
            try:
                completion: ChatCompletion = await client.chat.completions.create(
                    model=self._settings.model, messages=messages, **options
                )
            except openai.BadRequestError as exc:
                if not self._optional.refused(exc):
                    raise
                return await self.complete(
                    messages, self._without_refused(options), deadline, images=images
                )
        if not completion.choices and (error := (completion.model_extra or {}).get("error")):
            # LM Studio answers some refusals with 200 and an error body.
            raise BackendRejected(f"the server answered with an error: {error}") from (
                _ServerSaid(str(error))
            )
        choice = completion.choices[0] if completion.choices else None
        usage = completion.usage
        calls = tuple(
            FunctionCall(call.id, call.function.name, call.function.arguments)
            for call in (choice.message.tool_calls or [] if choice else [])
            if call.type == "function"
        )
        return chat_result(
            text=(choice.message.content or "") if choice else "",
            finish_reason=choice.finish_reason if choice else None,
            response_id=completion.id,
            usage=chat_usage(usage),
            model=completion.model,
            function_calls=calls,
        )

    async def stream(
        self,
        messages: list[ChatCompletionMessageParam],
        options: dict[str, Any],
        deadline: float,
        text: list[str],
    ) -> AsyncIterator[TurnEvent]:
        """Yield TurnStarted, TextDeltas, then the result; `text` collects what has arrived."""
        async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
            chunks = await self._open_stream(messages, options)
        finish_reason: str | None = None
        usage: TokenUsage | None = None
        model: str | None = None
        calls = StreamedCalls()
        started = False
        try:
            async for chunk in until_deadline(chunks, deadline):
                if not started:
                    started = True
                    yield TurnStarted(chunk.id)
                model = chunk.model or model
                if chunk.usage is not None:
                    usage = chat_usage(chunk.usage)
                for choice in chunk.choices:
                    if choice.delta.content:
                        text.append(choice.delta.content)
                        yield TextDelta(choice.delta.content)
                    calls.add(choice.delta.tool_calls)
                    finish_reason = choice.finish_reason or finish_reason
        finally:
            await chunks.close()
        yield chat_result(
            text="".join(text),
            finish_reason=finish_reason,
            response_id=None,
            usage=usage,
            model=model,
            function_calls=calls.made(),
        )

    async def _open_stream(
        self, messages: list[ChatCompletionMessageParam], base: dict[str, Any]
    ) -> AsyncStream[ChatCompletionChunk]:
        options = dict(base)
        if self._optional.wanted("stream_options"):
            options["stream_options"] = {"include_usage": True}
        try:
            chunks = await self._client.chat.completions.create(
                model=self._settings.model,
                messages=messages,
                stream=True,
                **options,
            )
            return cast(AsyncStream[ChatCompletionChunk], chunks)
        except openai.BadRequestError as exc:
            if not self._optional.refused(exc):
                raise
            return await self._open_stream(messages, self._without_refused(base))

    def _without_refused(self, options: dict[str, Any]) -> dict[str, Any]:
        wanted = self._optional.wanted
        return {k: v for k, v in options.items() if k not in self._names or wanted(k)}


class _ServerSaid(Exception):
    """The error a server wrote in a 200 body (kept as the cause, like an SDK error)."""
