"""A streamed response's server-sent events as plain dicts, read from the raw HTTP body.

Why not the SDK's `AsyncStream`: it builds a pydantic model for every event (about 90 µs each), and
its first use builds the schema of the fifty-member event union, blocking the event loop for about
0.6 s — on the first answer after every start. A turn reads a few fields of four event types;
`json.loads` gives them in a few µs. The SDK still sends the request: auth, base URL, and the
translation of HTTP errors into `openai.APIError`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, TypedDict, cast

import httpx2
from openai import APIConnectionError, AsyncAPIResponse

logger = logging.getLogger(__name__)


class ServerEvent(TypedDict, total=False):
    """The fields of a streamed event that a turn reads (`type` is always there)."""

    type: str
    sequence_number: int
    delta: str
    response: dict[str, Any]
    code: str
    message: str


class ServerEvents:
    """`async with` it to send the request (HTTP errors raise there, as the SDK's exceptions);
    iterate it for the `data:` payload of each event; leaving the block closes the stream."""

    def __init__(self, request: AbstractAsyncContextManager[AsyncAPIResponse[Any]]) -> None:
        self._request = request
        self._response: AsyncAPIResponse[Any] | None = None

    async def __aenter__(self) -> ServerEvents:
        self._response = await self._request.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._response = None
        await self._request.__aexit__(exc_type, exc, tb)

    def __aiter__(self) -> AsyncIterator[ServerEvent]:
        if self._response is None:
            raise RuntimeError("ServerEvents is read inside its `async with` block")
        return _events(self._response)


async def _events(response: AsyncAPIResponse[Any]) -> AsyncIterator[ServerEvent]:
    data: list[str] = []
    try:
        async for line in response.iter_lines():
            if line.startswith("data:"):
                data.append(line[6:] if line.startswith("data: ") else line[5:])
            elif not line and data:  # a blank line ends the event
                payload, data = "\n".join(data), []
                if payload != "[DONE]":
                    yield decode(payload)
    except httpx2.TransportError as exc:  # a dropped stream, as the SDK would report it
        raise APIConnectionError(
            message=f"stream dropped: {exc}", request=response.http_response.request
        ) from exc


def decode(payload: str) -> ServerEvent:
    try:
        event = json.loads(payload)
    except ValueError:
        logger.warning("Unreadable server event skipped (%d bytes)", len(payload))
        return {"type": "unreadable"}
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return {"type": "unreadable"}
    return cast(ServerEvent, event)
