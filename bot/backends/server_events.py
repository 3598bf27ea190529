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
from typing import Any

import httpx2
from openai import APIConnectionError, AsyncAPIResponse

logger = logging.getLogger(__name__)

Event = dict[str, Any]


class ServerEvents:
    """The `data:` payload of each event, decoded; close it when done (or let the turn end)."""

    def __init__(self, response: AsyncAPIResponse[Any]) -> None:
        self._response = response

    @classmethod
    async def open(
        cls, request: AbstractAsyncContextManager[AsyncAPIResponse[Any]]
    ) -> ServerEvents:
        """Send the request; HTTP errors are raised here, as the SDK's exceptions."""
        return cls(await request.__aenter__())

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        data: list[str] = []
        try:
            async for line in self._response.iter_lines():
                if line.startswith("data:"):
                    data.append(line[6:] if line.startswith("data: ") else line[5:])
                elif not line and data:  # a blank line ends the event
                    payload, data = "\n".join(data), []
                    if payload != "[DONE]":
                        yield decode(payload)
        except httpx2.TransportError as exc:  # a dropped stream, as the SDK would report it
            raise APIConnectionError(
                message=f"stream dropped: {exc}", request=self._response.http_response.request
            ) from exc

    async def close(self) -> None:
        await self._response.close()


def decode(payload: str) -> Event:
    try:
        event = json.loads(payload)
    except ValueError:
        logger.warning("Unreadable server event skipped (%d bytes)", len(payload))
        return {"type": "unreadable"}
    return event if isinstance(event, dict) else {"type": "unreadable"}
