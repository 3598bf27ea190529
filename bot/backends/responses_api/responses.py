"""OpenAI's Conversations + Responses API: the successor of the retired Assistants API.

A chat is a `conv_…`; a turn is one background response on it. Background mode keeps the answer
alive on the server whatever happens to our connection: polled, or streamed — and a dropped stream
is resumed from the last event seen (`starting_after`), so no text is lost or repeated. The
polling GETs are safe to retry; the create POST is not (see `openai_calls.write_once`).

Responses are read as plain JSON (`response_data`), not as the SDK's `Response` model.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import openai

from bot.backends.backend_errors import (
    BackendRejected,
    ConversationNotFound,
)
from bot.backends.base import (
    Artifact,
    MediaSupport,
    ModelSettings,
    TextDelta,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.backends.function_rounds import with_function_calls
from bot.backends.openai_calls import (
    OptionalParameters,
    describe,
    poll,
    translated,
    write_once,
)
from bot.backends.responses_api.containers import Containers, container_expired
from bot.backends.responses_api.drawings import Drawings
from bot.backends.responses_api.response_data import (
    ResponseData,
    output_text,
    parse_response,
    response_usage,
    turn_result,
)
from bot.backends.responses_api.response_input import UserMessage
from bot.backends.responses_api.streaming import PENDING, ResponseStreams
from bot.backends.responses_api.turn_request import CACHING, TurnRequests
from bot.backends.turn_tools import KnowledgeCopy, KnowledgeFile
from bot.backends.uploads import delete_uploads
from bot.backends.vector_stores import VectorStores
from storage import HistoryMessage, Tool
from storage.repositories import Files, Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ResponsesBackend:
    """Conversations live on the server; a turn is a background response, streamed or polled."""

    name = "responses"
    media = MediaSupport(images=True, pdf=True)
    # Hosted tools offered to personas (and image generation to /image, where enabled).
    tools: frozenset[Tool] = frozenset(
        {"code_interpreter", "web_search", "image_generation", "file_search"}
    )

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        settings: ModelSettings,
        files: Files | None = None,
        stored: Settings | None = None,
    ) -> None:
        self._client = client
        self._stores = VectorStores(client, stored, self.name) if stored is not None else None
        self._settings = settings
        self._files = files  # the registry of uploads and containers
        self._containers = Containers(client, files, self.name)
        self._message = UserMessage(client, files, settings, self.name)
        self._drawings = Drawings()
        self._optional = OptionalParameters(self.name, CACHING)
        self._requests = TurnRequests(settings, self._containers, self._message, self._optional)
        self._polls_by_stream = True  # until a server refuses to stream
        self._streams = ResponseStreams(
            client,
            create=self._create,
            retrieve=self._retrieve,
            settle=self._settle,
            result=self._result,
        )

    async def start(self) -> None:
        """Load the SDK's API modules now (conversations are created per chat).

        The SDK imports an API's modules on first use of its resource: about 100 ms of blocked
        event loop, paid by every chat waiting for an acknowledgement during the first answers
        after a start. Touching the resources here pays it before any chat waits.
        """
        _ = (
            self._client.conversations.items,
            self._client.responses.with_raw_response,
            self._client.responses.with_streaming_response,
        )

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        with translated():
            conversation = await self._client.conversations.create(metadata=metadata)
        return conversation.id

    async def sync_knowledge(
        self, name: str, files: tuple[KnowledgeFile, ...]
    ) -> KnowledgeCopy | None:
        if self._stores is None:
            return None
        return KnowledgeCopy(await self._stores.sync(name, files), tuple(f.path for f in files))

    async def delete_conversation(self, conversation_id: str) -> None:
        try:
            with translated():
                await self._client.conversations.delete(conversation_id)
        except ConversationNotFound:
            logger.info("Conversation %s was already gone", conversation_id)
        if self._files is not None:
            await delete_uploads(self._client, self._files, self.name, conversation_id)

    async def history(self, conversation_id: str, limit: int) -> list[HistoryMessage]:
        with translated():
            page = await self._client.conversations.items.list(
                conversation_id, limit=limit, order="desc"
            )
        said: list[HistoryMessage] = []
        for item in page.data:
            if item.type != "message" or item.role not in ("user", "assistant"):
                continue
            text = "".join(
                part.text for part in item.content if part.type in ("input_text", "output_text")
            )
            if text.strip():
                said.append(HistoryMessage(item.role, text))
        return said[::-1]

    def run_turn(
        self, conversation_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        return with_function_calls(
            self._round(conversation_id, turn, stream),
            turn,
            lambda then: self._round(conversation_id, then, stream),
        )

    async def _round(
        self, conversation_id: str, turn: TurnInput, stream: bool
    ) -> AsyncIterator[TurnEvent]:
        """One response: the turn's, or its continuation after the owner's functions ran."""
        deadline = self._settings.deadline()
        started = time.time()
        if stream or self._polls_by_stream:
            # Polled answers are read from the stream too, their text kept back: one call a
            # turn instead of a create and a retrieve every second, and resumable the same.
            try:
                async for event in self._streams.turn(conversation_id, turn, deadline):
                    if isinstance(event, TurnResult):
                        event = await self._completed(conversation_id, event, started)
                    elif isinstance(event, TextDelta) and not stream:
                        continue
                    yield event
                return
            except BackendRejected as exc:
                if stream or "stream" not in str(exc.__cause__ or exc).lower():
                    raise
                logger.info("The server does not stream responses (%s); polling them", exc)
                self._polls_by_stream = False
        response = await self._create_response(conversation_id, turn, deadline)
        logger.info("Response %s started on %s", response["id"], conversation_id)
        yield TurnStarted(response["id"])
        result = await self._settle(response, deadline)
        yield await self._completed(conversation_id, result, started)

    async def fetch_artifact(self, artifact: Artifact) -> bytes:
        if artifact.kind == "image":
            return await self._drawings.fetch(artifact, self._retrieve)
        return await self._containers.fetch(artifact)

    def _result(self, response: ResponseData) -> TurnResult:
        """The turn's result; the images it made are kept until they are delivered."""
        self._drawings.keep(response)
        return turn_result(response)

    def resume_turn(
        self, conversation_id: str, remote_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        return with_function_calls(
            self._resumed(conversation_id, remote_id),
            turn,
            lambda then: self._round(conversation_id, then, stream),
        )

    async def _resumed(self, conversation_id: str, remote_id: str) -> AsyncIterator[TurnEvent]:
        deadline = self._settings.deadline()
        with translated():
            response = await self._retrieve(remote_id)
        logger.info("Resuming response %s (%s)", remote_id, response.get("status"))
        yield TurnStarted(remote_id)
        result = await self._settle(response, deadline)
        yield await self._completed(conversation_id, result, time.time() - 3600)

    async def _completed(
        self, conversation_id: str, result: TurnResult, started: float
    ) -> TurnResult:
        """The result with what its tools left: container files and sessions; a response that
        drew is registered, so /reset deletes it with its images."""
        if (
            self._files is not None
            and result.response_id
            and any(a.kind == "image" for a in result.artifacts)
        ):
            await self._files.added(self.name, conversation_id, result.response_id, "response")
        return await self._containers.completed(conversation_id, result, started)

    async def add_context(self, conversation_id: str, text: str) -> None:
        items = self._client.with_options(max_retries=0).conversations.items
        await write_once(
            lambda: items.create(
                conversation_id, items=[{"type": "message", "role": "user", "content": text}]
            ),
            what=f"Adding context to {conversation_id}",
            deadline=self._settings.deadline(),
        )

    async def cancel_turn(self, conversation_id: str, remote_id: str) -> None:
        try:
            await self._client.responses.cancel(remote_id)
        except openai.APIError as exc:
            logger.warning("Cancelling %s failed: %s", remote_id, describe(exc))

    async def _settle(self, response: ResponseData, deadline: float) -> TurnResult:
        """Poll to the end (cancelling at the deadline) and describe the outcome."""
        response_id = response["id"]
        response = await poll(
            lambda: self._retrieve(response_id),
            response,
            pending=lambda r: r.get("status") in PENDING,
            deadline=deadline,
            interval=self._settings.poll_interval,
        )
        if response.get("status") in PENDING:
            return await self._cancel(response)
        return self._result(response)

    async def _retrieve(self, response_id: str) -> ResponseData:
        raw = await self._client.responses.with_raw_response.retrieve(response_id)
        return parse_response(raw.content)

    async def _create_response(
        self, conversation_id: str, turn: TurnInput, deadline: float
    ) -> ResponseData:
        responses = self._client.with_options(max_retries=0).responses

        async def create(request: dict[str, Any]) -> ResponseData:
            raw = await responses.with_raw_response.create(**request)
            return parse_response(raw.content)

        return await self._create(conversation_id, turn, deadline, create)

    async def _create(
        self,
        conversation_id: str,
        turn: TurnInput,
        deadline: float,
        send: Callable[[dict[str, Any]], Awaitable[T]],
    ) -> T:
        """Send the turn's request (never twice where the server may have acted on it); if the
        code's container had expired, forget it and send once more with a new one; if the
        server refuses a parameter it need not have (caching, compaction), without it."""
        replaced = False
        while True:
            request = await self._requests.body(conversation_id, turn)
            try:
                return await write_once(
                    functools.partial(send, request),
                    what=f"Creating a response on {conversation_id}",
                    deadline=deadline,
                )
            except BackendRejected as exc:
                if self._optional.refused(exc):
                    continue
                if replaced or not container_expired(exc):
                    raise
                replaced = True
                await self._containers.expired(conversation_id)

    async def _cancel(self, response: ResponseData) -> TurnResult:
        response_id = response["id"]
        logger.warning("Response %s passed the deadline; cancelling it", response_id)
        try:
            raw = await self._client.responses.with_raw_response.cancel(response_id)
            response = parse_response(raw.content)
        except openai.APIError:
            logger.warning("Cancelling %s failed", response_id, exc_info=True)
        return TurnResult(
            status=TurnStatus.TIMED_OUT,
            text=output_text(response),
            response_id=response_id,
            usage=response_usage(response),
        )
