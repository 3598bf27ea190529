"""Chat Completions: any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio, OpenRouter…).

The server keeps no conversation, so ours lives in SQLite: the persona as the system message, then
the newest turns that fit the context window (see `history_budget`). A turn is stored only once it
is answered, so a failed call leaves the history as it was — which also makes the call safe to
retry, and the SDK's own retries are left on.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, cast

import openai
from openai import AsyncStream
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

from bot.backends.base import (
    Artifact,
    BackendError,
    BackendRejected,
    BackendUnavailable,
    FunctionCall,
    KnowledgeFile,
    MediaSupport,
    ModelSettings,
    TextDelta,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.backends.chat_api.chat_results import chat_result, chat_usage, with_compaction
from bot.backends.chat_api.chat_vision import Vision, remembered
from bot.backends.chat_api.compactor import Compactor
from bot.backends.chat_api.function_messages import StreamedCalls, function_messages
from bot.backends.chat_api.history_budget import fit_history, prompt_budget
from bot.backends.function_rounds import with_function_calls
from bot.backends.openai_calls import (
    OptionalParameters,
    cache_key,
    translated,
    until_deadline,
)
from bot.media.settings import ChatVision
from storage import HistoryMessage, TokenUsage, Tool
from storage.repositories import Histories

logger = logging.getLogger(__name__)

LOCAL_PREFIX = "local_"
# Sent to every server; one that refuses one is asked again without it, from then on (local
# servers ignore the cache's; some gateways refuse stream_options, which brings the usage).
OPTIONAL = ("prompt_cache_key", "prompt_cache_options", "stream_options")


class ChatCompletionsBackend:
    name = "chat"
    tools: frozenset[Tool] = frozenset()  # Chat Completions servers run no hosted tools

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        settings: ModelSettings,
        history: Histories,
        *,
        context_tokens: int,
        vision: ChatVision = "auto",
    ) -> None:
        self._client = client
        self._settings = settings
        self._history = history
        self._budget = prompt_budget(context_tokens, settings.max_output_tokens)
        self._vision = Vision(vision, settings.image_detail)
        # Compacted below the window, with room for the pass's own request and answer.
        budget = settings.context_budget
        self._compactor = Compactor(
            client, settings, history, min(budget, self._budget * 3 // 4) if budget else None
        )
        self._optional = OptionalParameters(self.name, OPTIONAL)

    @property
    def media(self) -> MediaSupport:
        """Images as data URLs if the server can see; PDFs never (few servers take files)."""
        return MediaSupport(images=self._vision.can_see, pdf=False)

    async def start(self) -> None:
        """Load the SDK's modules now, before any chat waits; the server holds no state of ours."""
        _ = self._client.chat.completions

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        return LOCAL_PREFIX + uuid.uuid4().hex

    async def sync_knowledge(self, name: str, files: tuple[KnowledgeFile, ...]) -> str | None:
        """No file search on these servers (yet): the persona answers without its documents."""
        return None

    async def delete_conversation(self, conversation_id: str) -> None:
        await self._history.delete(conversation_id)

    def run_turn(
        self, conversation_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        return self._turn(conversation_id, turn, stream)

    async def _turn(
        self, conversation_id: str, turn: TurnInput, stream: bool
    ) -> AsyncIterator[TurnEvent]:
        deadline = self._settings.deadline()
        context = await self._compactor.context(conversation_id, turn, deadline)
        history = context.history
        kept = fit_history(context.system, history, turn.text, self._budget)
        if len(kept) < len(history):
            logger.info(
                "Conversation %s: sending the newest %d of %d messages to fit the context",
                conversation_id,
                len(kept),
                len(history),
            )
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": context.system},
            *(_message(m) for m in kept),
            self._vision.user_message(turn),
        ]
        options = self._options(turn, conversation_id)

        def next_round(then: TurnInput) -> AsyncIterator[TurnEvent]:
            # The calls and their outputs join the request; only the answer is kept after.
            messages.extend(function_messages(then.function_outputs))
            return self._round(messages, options, then, stream)

        result: TurnResult | None = None
        async for event in with_function_calls(
            self._round(messages, options, turn, stream), turn, next_round
        ):
            if isinstance(event, TurnResult):
                result = event
            else:
                yield event
        if result is None:
            raise BackendUnavailable("the stream ended without a result")
        if context.compaction is not None:
            result = with_compaction(result, context.compaction)
        if result.status in (TurnStatus.COMPLETED, TurnStatus.INCOMPLETE) and result.text:
            # Images are not kept: re-sent on every turn they would be paid for every turn.
            await self._history.append(
                conversation_id,
                [
                    HistoryMessage("user", remembered(turn)),
                    HistoryMessage("assistant", result.text),
                ],
            )
        yield result

    async def _round(
        self,
        messages: list[ChatCompletionMessageParam],
        options: dict[str, Any],
        turn: TurnInput,
        stream: bool,
    ) -> AsyncIterator[TurnEvent]:
        """One completion: the turn's, or its continuation after the owner's functions ran."""
        deadline = self._settings.deadline()
        text: list[str] = []
        try:
            with self._vision.seeing(turn), translated():
                # Images are not streamed: a server that cannot see may answer 200 with an
                # error body, which only a whole completion shows.
                if stream and not turn.images:
                    async for event in self._stream(messages, options, deadline, text):
                        yield event
                else:
                    result = await self._complete(
                        messages, options, deadline, images=bool(turn.images)
                    )
                    yield TurnStarted(result.response_id or "")
                    yield result
        except TimeoutError:
            yield TurnResult(status=TurnStatus.TIMED_OUT, text="".join(text))

    async def resume_turn(
        self, conversation_id: str, remote_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        """The server kept nothing: run again (the history is only written once answered)."""
        async for event in self.run_turn(conversation_id, turn, stream=stream):
            yield event

    async def add_context(self, conversation_id: str, text: str) -> None:
        await self._history.append(conversation_id, [HistoryMessage("user", text)])

    async def fetch_artifact(self, artifact: Artifact) -> bytes:
        """No hosted code runs here, so no turn ever names a file to fetch."""
        raise BackendError(f"{self.name} has no files of the model's code")

    async def cancel_turn(self, conversation_id: str, remote_id: str) -> None:
        """Nothing to do: closing the HTTP stream is what stops the server generating."""

    def _options(self, turn: TurnInput, conversation_id: str) -> dict[str, Any]:
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
            options["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": function.name,
                        "description": function.description,
                        "parameters": dict(function.parameters),
                    },
                }
                for function in turn.functions
            ]
        return options

    async def _complete(
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
                return await self._complete(
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

    async def _stream(
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
        return {k: v for k, v in options.items() if k not in OPTIONAL or self._optional.wanted(k)}


class _ServerSaid(Exception):
    """The error a server wrote in a 200 body (kept as the cause, like an SDK error)."""


def _message(message: HistoryMessage) -> ChatCompletionMessageParam:
    if message.role == "assistant":
        return {"role": "assistant", "content": message.content}
    return {"role": "user", "content": message.content}
