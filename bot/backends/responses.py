"""OpenAI's Conversations + Responses API: the successor of the retired Assistants API.

A chat is a `conv_…`; a turn is one background response on it. Background mode keeps the answer
alive on the server whatever happens to our connection: polled, or streamed — and a dropped stream
is resumed from the last event seen (`starting_after`), so no text is lost or repeated. The
polling GETs are safe to retry; the create POST is not (see `openai_calls.write_once`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import openai
from openai.types.responses import Response

from bot.backends.base import (
    BackendUnavailable,
    TextDelta,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.backends.openai_calls import describe, poll, translate, until_deadline, write_once
from bot.backends.server_events import ServerEvents
from storage import TokenUsage

logger = logging.getLogger(__name__)

PENDING = frozenset({"queued", "in_progress"})
MAX_RESUMES = 5  # then poll instead: a stream that keeps dropping is worse than polling
TERMINAL_STATUS = {
    "completed": TurnStatus.COMPLETED,
    "incomplete": TurnStatus.INCOMPLETE,
    "failed": TurnStatus.FAILED,
    "cancelled": TurnStatus.CANCELLED,
}
# A minimal finished response, parsed once at start-up so the first answer does not pay for it.
WARM_UP_RESPONSE: dict[str, Any] = {
    "id": "resp_warm_up",
    "object": "response",
    "status": "completed",
    "output": [
        {
            "type": "message",
            "id": "msg_warm_up",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "", "annotations": []}],
        }
    ],
    "usage": {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0},
}


class ResponsesBackend:
    """Conversations live on the server; a turn is a background response, polled to its end."""

    name = "responses"

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        *,
        model: str,
        response_timeout: float,
        reasoning_effort: str | None = None,
        max_output_tokens: int | None = None,
        poll_interval: tuple[float, float] = (0.25, 1.5),
    ) -> None:
        self._client = client
        self._model = model
        self._response_timeout = response_timeout
        self._reasoning_effort = reasoning_effort
        self._max_output_tokens = max_output_tokens
        self._poll_interval = poll_interval

    async def start(self) -> None:
        """Build the SDK's `Response` model now: its first use costs ~60 ms of blocked loop."""
        Response.construct(**WARM_UP_RESPONSE)

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        try:
            conversation = await self._client.conversations.create(metadata=metadata)
        except openai.APIError as exc:
            raise translate(exc) from exc
        return conversation.id

    async def delete_conversation(self, conversation_id: str) -> None:
        try:
            await self._client.conversations.delete(conversation_id)
        except openai.NotFoundError:
            logger.info("Conversation %s was already gone", conversation_id)
        except openai.APIError as exc:
            raise translate(exc) from exc

    async def run_turn(
        self, conversation_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        deadline = time.monotonic() + self._response_timeout
        if stream:
            async for event in self._streamed_turn(conversation_id, turn, deadline):
                yield event
            return
        response = await self._create_response(conversation_id, turn, deadline)
        logger.info("Response %s started on %s", response.id, conversation_id)
        yield TurnStarted(response.id)
        yield await self._settle(response, deadline)

    async def resume_turn(
        self, conversation_id: str, remote_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        deadline = time.monotonic() + self._response_timeout
        try:
            response = await self._client.responses.retrieve(remote_id)
        except openai.APIError as exc:
            raise translate(exc) from exc
        logger.info("Resuming response %s (%s)", remote_id, response.status)
        yield TurnStarted(remote_id)
        yield await self._settle(response, deadline)

    async def add_context(self, conversation_id: str, text: str) -> None:
        items = self._client.with_options(max_retries=0).conversations.items
        await write_once(
            lambda: items.create(
                conversation_id, items=[{"type": "message", "role": "user", "content": text}]
            ),
            what=f"Adding context to {conversation_id}",
            deadline=time.monotonic() + self._response_timeout,
        )

    async def cancel_turn(self, conversation_id: str, remote_id: str) -> None:
        try:
            await self._client.responses.cancel(remote_id)
        except openai.APIError as exc:
            logger.warning("Cancelling %s failed: %s", remote_id, describe(exc))

    async def aclose(self) -> None:
        await self._client.close()

    async def _streamed_turn(
        self, conversation_id: str, turn: TurnInput, deadline: float
    ) -> AsyncIterator[TurnEvent]:
        events = await self._create_stream(conversation_id, turn, deadline)
        response_id: str | None = None
        last_event = -1
        for resume in range(MAX_RESUMES + 1):
            try:
                async for event in until_deadline(aiter(events), deadline):
                    kind = event.get("type")
                    last_event = event.get("sequence_number", last_event)
                    if kind == "response.output_text.delta":
                        yield TextDelta(event.get("delta") or "")
                    elif kind in ("response.queued", "response.created"):
                        if response_id is None:
                            response_id = event["response"]["id"]
                            logger.info("Response %s started on %s", response_id, conversation_id)
                            yield TurnStarted(response_id)
                    elif kind in ("response.completed", "response.incomplete", "response.failed"):
                        yield _result(Response.construct(**event["response"]))
                        return
                    elif kind == "error":
                        code = event.get("code")
                        logger.warning("Response stream error %s: %s", code, event.get("message"))
                        yield TurnResult(
                            TurnStatus.FAILED, response_id=response_id, error_code=code
                        )
                        return
            except TimeoutError:
                pass  # settled below: the deadline cancels the response
            except openai.APIConnectionError as exc:
                logger.warning("Stream of %s dropped (%s)", response_id, describe(exc))
            finally:
                await events.close()
            if response_id is None:
                raise BackendUnavailable("the stream ended before the response started")
            current = await self._client.responses.retrieve(response_id)
            if (
                current.status not in PENDING
                or time.monotonic() >= deadline
                or resume == MAX_RESUMES
            ):
                yield await self._settle(current, deadline)
                return
            logger.info("Resuming the stream of %s after event %d", response_id, last_event)
            events = await ServerEvents.open(
                self._client.responses.with_streaming_response.retrieve(
                    response_id, stream=True, starting_after=last_event
                )
            )

    async def _settle(self, response: Response, deadline: float) -> TurnResult:
        """Poll to the end (cancelling at the deadline) and describe the outcome."""
        response = await poll(
            lambda: self._client.responses.retrieve(response.id),
            response,
            pending=lambda r: r.status in PENDING,
            deadline=deadline,
            interval=self._poll_interval,
        )
        if response.status in PENDING:
            return await self._cancel(response)
        return _result(response)

    async def _create_response(
        self, conversation_id: str, turn: TurnInput, deadline: float
    ) -> Response:
        responses = self._client.with_options(max_retries=0).responses
        request = self._request(conversation_id, turn)
        return await write_once(
            lambda: responses.create(**request),
            what=f"Creating a response on {conversation_id}",
            deadline=deadline,
        )

    async def _create_stream(
        self, conversation_id: str, turn: TurnInput, deadline: float
    ) -> ServerEvents:
        responses = self._client.with_options(max_retries=0).responses
        request = self._request(conversation_id, turn)
        return await write_once(
            lambda: ServerEvents.open(
                responses.with_streaming_response.create(stream=True, **request)
            ),
            what=f"Creating a response on {conversation_id}",
            deadline=deadline,
        )

    def _request(self, conversation_id: str, turn: TurnInput) -> dict[str, Any]:
        """The body of a turn: a background response, stored in the conversation."""
        request: dict[str, Any] = {
            "model": self._model,
            "conversation": conversation_id,
            "instructions": turn.instructions,
            "input": turn.text,
            "background": True,
            "store": True,
            "truncation": "auto",
        }
        if self._reasoning_effort:
            request["reasoning"] = {"effort": self._reasoning_effort}
        if self._max_output_tokens:
            request["max_output_tokens"] = self._max_output_tokens
        return request

    async def _cancel(self, response: Response) -> TurnResult:
        logger.warning("Response %s passed the deadline; cancelling it", response.id)
        try:
            response = await self._client.responses.cancel(response.id)
        except openai.APIError:
            logger.warning("Cancelling %s failed", response.id, exc_info=True)
        return TurnResult(
            status=TurnStatus.TIMED_OUT,
            text=response.output_text,
            response_id=response.id,
            usage=_usage(response),
        )


def _result(response: Response) -> TurnResult:
    status = TERMINAL_STATUS.get(response.status or "", TurnStatus.FAILED)
    return TurnResult(
        status=status,
        text=response.output_text,
        response_id=response.id,
        usage=_usage(response),
        error_code=response.error.code if response.error else None,
        incomplete_reason=(
            response.incomplete_details.reason if response.incomplete_details else None
        ),
    )


def _usage(response: Response) -> TokenUsage | None:
    if response.usage is None:
        return None
    return TokenUsage(
        input_tokens=response.usage.input_tokens, output_tokens=response.usage.output_tokens
    )
