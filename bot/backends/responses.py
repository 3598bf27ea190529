"""OpenAI's Conversations + Responses API: the successor of the retired Assistants API.

A chat is a `conv_…`; a turn is one background response on it, polled until it ends. Background
mode keeps a slow answer from tying up one long HTTP request, and the polling GETs are safe to
retry, whereas the create POST is not (see `openai_calls.write_once`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any, cast

import openai
from openai.types.responses import Response

from bot.backends.base import (
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.backends.openai_calls import poll, translate, write_once
from storage import TokenUsage

logger = logging.getLogger(__name__)

PENDING = frozenset({"queued", "in_progress"})
TERMINAL_STATUS = {
    "completed": TurnStatus.COMPLETED,
    "incomplete": TurnStatus.INCOMPLETE,
    "failed": TurnStatus.FAILED,
    "cancelled": TurnStatus.CANCELLED,
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
        """Nothing to prepare: conversations are created per chat."""

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
        response = await self._create_response(conversation_id, turn, deadline)
        logger.info("Response %s started on %s", response.id, conversation_id)
        yield TurnStarted(response.id)
        response = await poll(
            lambda: self._client.responses.retrieve(response.id),
            response,
            pending=lambda r: r.status in PENDING,
            deadline=deadline,
            interval=self._poll_interval,
        )
        if response.status in PENDING:
            yield await self._cancel(response)
        else:
            yield _result(response)

    async def aclose(self) -> None:
        await self._client.close()

    async def _create_response(
        self, conversation_id: str, turn: TurnInput, deadline: float
    ) -> Response:
        options: dict[str, Any] = {}
        if self._reasoning_effort:
            options["reasoning"] = {"effort": self._reasoning_effort}
        if self._max_output_tokens:
            options["max_output_tokens"] = self._max_output_tokens
        client = self._client.with_options(max_retries=0)

        async def send() -> Response:
            response = await client.responses.create(
                model=self._model,
                conversation=conversation_id,
                instructions=turn.instructions,
                input=turn.text,
                background=True,
                store=True,
                truncation="auto",
                **options,
            )
            return cast(Response, response)

        return await write_once(
            send, what=f"Creating a response on {conversation_id}", deadline=deadline
        )

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
