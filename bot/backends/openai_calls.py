"""How the backends call the OpenAI SDK: error translation, safe retries of writes, and polling.

The SDK retries POSTs without an idempotency key, so a write that adds to a conversation (a
response, a run, a message) is sent with the SDK's retries off and resent here only when the
server certainly did not act on it: 429, 409, 5xx, a busy conversation, or a connection that was
never made. A timeout is never resent — the write may have happened.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

import httpx2
import openai

from bot.backends.backend_errors import (
    BackendError,
    BackendMisconfigured,
    BackendRejected,
    BackendUnavailable,
    ConversationNotFound,
    QuotaExhausted,
)
from bot.backends.base import (
    TurnStatus,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How the APIs name a turn's end (a response's or a run's status).
TERMINAL_STATUS = {
    "completed": TurnStatus.COMPLETED,
    "incomplete": TurnStatus.INCOMPLETE,
    "failed": TurnStatus.FAILED,
    "cancelled": TurnStatus.CANCELLED,
}

# 400s that mean "busy, try again shortly" rather than "this request is wrong".
BUSY_MESSAGES = ("while a run", "already has an active run")


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """SDK errors raised inside become the backend interface's errors (the cause kept)."""
    try:
        yield
    except openai.APIError as exc:
        raise translate(exc) from exc


def translate(exc: openai.APIError) -> BackendError:
    """Map an SDK error onto the backend interface's small error vocabulary."""
    detail = describe(exc)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return BackendMisconfigured(detail)
    if isinstance(exc, openai.NotFoundError):
        if exc.code == "model_not_found" or exc.param == "model" or "assistant" in exc.message:
            return BackendMisconfigured(detail)
        return ConversationNotFound(detail)
    if isinstance(exc, openai.BadRequestError):
        if is_busy(exc):
            return BackendUnavailable(detail)
        if exc.code == "model_not_found":
            return BackendMisconfigured(detail)
        return BackendRejected(detail)
    if isinstance(exc, openai.RateLimitError) and exc.code == "insufficient_quota":
        return QuotaExhausted(detail)
    return BackendUnavailable(detail)


def is_busy(exc: openai.APIError) -> bool:
    """The conversation (or thread) is working on another answer."""
    return exc.code == "conversation_locked" or any(m in exc.message for m in BUSY_MESSAGES)


def safe_to_resend(exc: openai.APIError) -> bool:
    """True when the server certainly did not act on the request."""
    if isinstance(exc, openai.APITimeoutError):
        return False
    if isinstance(exc, openai.APIConnectionError):
        # A failed connect (refused, DNS) sent nothing; a connection lost mid-request may have.
        return isinstance(exc.__cause__, httpx2.ConnectError | httpx2.ConnectTimeout)
    return isinstance(translate(exc), BackendUnavailable)


def backoff(attempt: int) -> float:
    """0.5 s, 1 s, 2 s … capped at 8 s, with ±25 % jitter so chats do not retry in step."""
    return float(min(8.0, 0.5 * 2.0 ** (attempt - 1)) * random.uniform(0.75, 1.25))


def data_url(mime: str, data: bytes) -> str:
    """Bytes inline, as every API here takes them (a URL would need to be public, and a
    Telegram file URL carries the bot token)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def cache_key(conversation_id: str) -> str:
    """The conversation's `prompt_cache_key`: stable across turns and restarts, so its requests
    are routed to the cache that holds its prefix; a digest, so no id of ours leaves as is."""
    return "tt-" + hashlib.sha256(conversation_id.encode()).hexdigest()[:32]


class OptionalParameters:
    """Request parameters a server may not know (caching, compaction): sent until a server
    refuses one, then left out, said once in the log."""

    def __init__(self, backend: str, names: tuple[str, ...]) -> None:
        self._backend = backend
        self._sent = set(names)

    def wanted(self, name: str) -> bool:
        return name in self._sent

    def refused(self, exc: Exception) -> bool:
        """True if `exc` (a 400, as the SDK or the backend names it) refuses one of them: now
        left out, so send again without it."""
        cause = exc.__cause__
        said = f"{getattr(cause, 'param', '')} {getattr(cause, 'message', '')} {exc}"
        for name in sorted(self._sent):
            if name in said:
                self._sent.discard(name)
                logger.warning(
                    "The %s server does not take %s (%s); sending requests without it",
                    self._backend,
                    name,
                    exc,
                )
                return True
        return False


def describe(exc: openai.APIError) -> str:
    """A log-safe one-liner: class, status, code and request id (never the key)."""
    parts = [type(exc).__name__]
    status = getattr(exc, "status_code", None)
    if status:
        parts.append(str(status))
    if exc.code:
        parts.append(exc.code)
    request_id = getattr(exc, "request_id", None)
    if request_id:
        parts.append(f"request {request_id}")
    if isinstance(exc, openai.APIConnectionError) and exc.__cause__ is not None:
        # "Connection error." alone does not say whether the host, the port or TLS failed.
        cause = exc.__cause__
        parts.append(f"({type(cause).__name__}: {cause})" if str(cause) else f"({cause!r})")
    return " ".join(parts)


async def write_once(
    send: Callable[[], Awaitable[T]],
    *,
    what: str,
    deadline: float,
    attempts: int = 5,
    on_busy: Callable[[], Awaitable[None]] | None = None,
) -> T:
    """Send a write (with SDK retries off), resending only where that cannot duplicate it.

    `on_busy` runs before resending after a "busy" 400, e.g. to clear a stale run.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except openai.APIError as exc:
            error = translate(exc)
            delay = backoff(attempt)
            if not safe_to_resend(exc) or attempt == attempts:
                raise error from exc
            if time.monotonic() + delay > deadline:
                raise BackendUnavailable(f"{what}: out of time while retrying") from exc
            logger.warning(
                "%s failed (%s); retry %d in %.1f s", what, describe(exc), attempt, delay
            )
            if on_busy is not None and is_busy(exc):
                await on_busy()
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def until_deadline(stream: AsyncIterator[T], deadline: float) -> AsyncIterator[T]:
    """Items of `stream`, raising TimeoutError once `deadline` passes while waiting for one.

    asyncio.timeout rather than wait_for: on Python 3.11 wait_for can swallow a cancellation
    (a user's stop) that arrives just as an item does.
    """
    loop = asyncio.get_running_loop()
    while True:
        try:
            async with asyncio.timeout_at(loop.time() + max(0.0, deadline - time.monotonic())):
                item = await anext(stream)
        except StopAsyncIteration:
            return
        yield item


async def poll(
    fetch: Callable[[], Awaitable[T]],
    current: T,
    *,
    pending: Callable[[T], bool],
    deadline: float,
    interval: tuple[float, float],
) -> T:
    """Re-fetch `current` with a growing interval until it is no longer pending or time is up.

    Transient fetch errors are logged and polled through; other errors propagate.
    """
    wait, cap = interval
    while pending(current):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        await asyncio.sleep(min(wait, remaining))
        wait = min(wait * 1.5, cap)
        try:
            current = await fetch()
        except (
            openai.APIConnectionError,
            openai.InternalServerError,
            openai.RateLimitError,
        ) as exc:
            logger.warning("Polling failed (%s); trying again", describe(exc))
    return current


def http_client(tls: ssl.SSLContext | None) -> openai.DefaultAsyncHttpxClient | None:
    """The SDK's own HTTP client, with `tls` (None: the SDK makes one with its own context)."""
    return None if tls is None else openai.DefaultAsyncHttpxClient(verify=tls)
