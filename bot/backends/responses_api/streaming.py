"""A turn's response as a stream: its events as the engine's, and a dropped stream resumed after
the last event it delivered (polled to its end after MAX_RESUMES drops)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import openai

from bot.backends.backend_errors import (
    BackendUnavailable,
)
from bot.backends.base import (
    TextDelta,
    ToolStarted,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.backends.openai_calls import describe, until_deadline
from bot.backends.responses_api.response_data import ResponseData
from bot.backends.responses_api.server_events import ServerEvents
from storage import Tool

logger = logging.getLogger(__name__)

PENDING = frozenset({"queued", "in_progress"})
Send = Callable[[dict[str, Any]], Awaitable[ServerEvents]]
# The streamed events that say a hosted tool started, and which tool.
TOOL_EVENTS: dict[str, Tool] = {
    "response.code_interpreter_call.in_progress": "code_interpreter",
    "response.web_search_call.in_progress": "web_search",
    "response.file_search_call.in_progress": "file_search",
    "response.image_generation_call.in_progress": "image_generation",
}
MAX_RESUMES = 5  # then poll instead: a stream that keeps dropping is worse than polling


@dataclass(slots=True)
class StreamPosition:
    """How far a streamed response got: its id once created, and the last event's number."""

    response_id: str | None = None
    event: int = -1


class ResponseStreams:
    """Streams the backend's responses; the backend lends how it creates, retrieves, settles and
    reads one."""

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        *,
        create: Callable[[str, TurnInput, float, Send], Awaitable[ServerEvents]],
        retrieve: Callable[[str], Awaitable[ResponseData]],
        settle: Callable[[ResponseData, float], Awaitable[TurnResult]],
        result: Callable[[ResponseData], TurnResult],
    ) -> None:
        self._client = client
        self._create = create
        self._retrieve = retrieve
        self._settle = settle
        self._result = result

    async def turn(
        self, conversation_id: str, turn: TurnInput, deadline: float
    ) -> AsyncIterator[TurnEvent]:
        """Stream the response; a dropped stream resumes after the last event it delivered."""
        seen = StreamPosition()
        for resume in range(MAX_RESUMES + 1):
            async with contextlib.AsyncExitStack() as stack:
                events = await self._open(stack, conversation_id, turn, deadline, seen)
                try:
                    async for event in until_deadline(self._read(events, seen), deadline):
                        yield event
                        if isinstance(event, TurnResult):
                            return
                except TimeoutError:
                    pass  # settled below: the deadline cancels the response
                except openai.APIConnectionError as exc:
                    logger.warning("Stream of %s dropped (%s)", seen.response_id, describe(exc))
            if seen.response_id is None:
                raise BackendUnavailable("the stream ended before the response started")
            current = await self._retrieve(seen.response_id)
            if (
                current.get("status") not in PENDING
                or time.monotonic() >= deadline
                or resume == MAX_RESUMES
            ):
                yield await self._settle(current, deadline)
                return
            logger.info("Resuming the stream of %s after event %d", seen.response_id, seen.event)

    async def _open(
        self,
        stack: contextlib.AsyncExitStack,
        conversation_id: str,
        turn: TurnInput,
        deadline: float,
        seen: StreamPosition,
    ) -> ServerEvents:
        """Create the response as a stream, or (once it exists) stream it again from `seen`."""
        if seen.response_id is not None:
            resumed = self._client.responses.with_streaming_response.retrieve(
                seen.response_id, stream=True, starting_after=seen.event
            )
            return await stack.enter_async_context(ServerEvents(resumed))
        responses = self._client.with_options(max_retries=0).responses

        async def open_stream(request: dict[str, Any]) -> ServerEvents:
            created = responses.with_streaming_response.create(stream=True, **request)
            return await stack.enter_async_context(ServerEvents(created))

        return await self._create(conversation_id, turn, deadline, open_stream)

    async def _read(self, events: ServerEvents, seen: StreamPosition) -> AsyncIterator[TurnEvent]:
        """The turn's events in one stream, ending with a TurnResult if the stream got there."""
        async for event in events:
            kind = event.get("type")
            seen.event = event.get("sequence_number", seen.event)
            if kind == "response.output_text.delta":
                yield TextDelta(event.get("delta") or "")
            elif kind in TOOL_EVENTS:
                yield ToolStarted(TOOL_EVENTS[kind])
            elif kind in ("response.queued", "response.created"):
                if seen.response_id is None:
                    seen.response_id = str(event.get("response", {})["id"])
                    logger.info("Response %s started", seen.response_id)
                    yield TurnStarted(seen.response_id)
            elif kind in ("response.completed", "response.incomplete", "response.failed"):
                yield self._result(cast(ResponseData, event.get("response", {})))
                return
            elif kind == "error":
                code = event.get("code")
                logger.warning("Response stream error %s: %s", code, event.get("message"))
                yield TurnResult(TurnStatus.FAILED, response_id=seen.response_id, error_code=code)
                return
