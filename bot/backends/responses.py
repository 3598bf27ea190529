"""OpenAI's Conversations + Responses API: the successor of the retired Assistants API.

A chat is a `conv_…`; a turn is one background response on it, polled until it ends. Background
mode keeps a slow answer from tying up one long HTTP request, and polling GETs are safe to retry,
whereas the create POST is not (the SDK sends no idempotency key, so a blind retry could add the
user's message twice). We therefore send the create with the SDK's retries off and retry only
where the server certainly did not start a response: 429, 409, 5xx, `conversation_locked`, and
connections that were refused.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any, cast

import httpx2
import openai
from openai.types.responses import Response

from bot.backends.base import (
    BackendMisconfigured,
    BackendRejected,
    BackendUnavailable,
    ConversationNotFound,
    TurnInput,
    TurnResult,
    TurnStatus,
)
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
        create_attempts: int = 5,
        poll_interval: tuple[float, float] = (0.25, 1.5),
    ) -> None:
        self._client = client
        self._model = model
        self._response_timeout = response_timeout
        self._reasoning_effort = reasoning_effort
        self._max_output_tokens = max_output_tokens
        self._create_attempts = create_attempts
        self._poll_first, self._poll_cap = poll_interval

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        try:
            conversation = await self._client.conversations.create(metadata=metadata)
        except openai.APIError as exc:
            raise _translate(exc) from exc
        return conversation.id

    async def delete_conversation(self, conversation_id: str) -> None:
        try:
            await self._client.conversations.delete(conversation_id)
        except openai.NotFoundError:
            logger.info("Conversation %s was already gone", conversation_id)
        except openai.APIError as exc:
            raise _translate(exc) from exc

    async def run_turn(self, conversation_id: str, turn: TurnInput) -> TurnResult:
        deadline = time.monotonic() + self._response_timeout
        response = await self._create_response(conversation_id, turn, deadline)
        logger.info("Response %s started on %s", response.id, conversation_id)
        response = await self._poll(response, deadline)
        if response.status in PENDING:
            return await self._cancel(response)
        return _result(response)

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
        for attempt in range(1, self._create_attempts + 1):
            try:
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
            except openai.APIError as exc:
                error = _translate(exc)
                retryable = isinstance(error, BackendUnavailable) and _safe_to_resend(exc)
                delay = _backoff(attempt)
                if not retryable or attempt == self._create_attempts:
                    raise error from exc
                if time.monotonic() + delay > deadline:
                    raise BackendUnavailable("response timeout reached while retrying") from exc
                logger.warning(
                    "Creating a response on %s failed (%s); retry %d in %.1f s",
                    conversation_id,
                    _describe(exc),
                    attempt,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _poll(self, response: Response, deadline: float) -> Response:
        interval = self._poll_first
        while response.status in PENDING:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return response
            await asyncio.sleep(min(interval, remaining))
            interval = min(interval * 1.5, self._poll_cap)
            try:
                response = await self._client.responses.retrieve(response.id)
            except openai.NotFoundError as exc:
                raise BackendUnavailable(f"response {response.id} vanished") from exc
            except (openai.APIConnectionError, openai.InternalServerError, openai.RateLimitError):
                logger.warning("Polling %s failed; trying again", response.id, exc_info=True)
        return response

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


def _translate(exc: openai.APIError) -> Exception:
    """Map an SDK error onto the backend interface's small error vocabulary."""
    detail = _describe(exc)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return BackendMisconfigured(detail)
    if isinstance(exc, openai.NotFoundError):
        if exc.code == "model_not_found" or exc.param == "model":
            return BackendMisconfigured(detail)
        return ConversationNotFound(detail)
    if isinstance(exc, openai.BadRequestError):
        if exc.code == "conversation_locked":
            return BackendUnavailable(detail)
        return BackendRejected(detail)
    if isinstance(exc, openai.RateLimitError) and exc.code == "insufficient_quota":
        return BackendMisconfigured(detail)
    return BackendUnavailable(detail)


def _safe_to_resend(exc: openai.APIError) -> bool:
    """True when the server certainly did not start a response for this request."""
    if isinstance(exc, openai.APITimeoutError):
        return False  # it may have been created; resending could duplicate the turn
    if isinstance(exc, openai.APIConnectionError):
        # A failed connect (refused, DNS) sent nothing; a connection lost mid-request may have.
        return isinstance(exc.__cause__, httpx2.ConnectError | httpx2.ConnectTimeout)
    return True


def _backoff(attempt: int) -> float:
    return min(8.0, 0.5 * 2.0 ** (attempt - 1)) * random.uniform(0.75, 1.25)


def _describe(exc: openai.APIError) -> str:
    status = getattr(exc, "status_code", None)
    request_id = getattr(exc, "request_id", None)
    parts = [type(exc).__name__]
    if status:
        parts.append(str(status))
    if exc.code:
        parts.append(exc.code)
    if request_id:
        parts.append(f"request {request_id}")
    return " ".join(parts)
