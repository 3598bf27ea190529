"""The MCP client: one connection per configured server, kept open, its tools listed.

Each server has a task of its own that holds the connection (the SDK's client is a context
that must be left by the task that entered it); calls from the turns share it. A server that
cannot be reached is tried again every `retry` seconds, and a call that finds the connection
broken asks for a new one: its tools come back without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx2
import mcp_types
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from bot.functions.mcp_settings import McpServerSettings
from bot.functions.tools import CallOutcome, OwnerTool, allows, capped

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 15.0  # seconds to connect and list the tools
RETRY_SECONDS = 30.0  # between attempts to reach a server that did not answer


@dataclass(frozen=True, slots=True)
class _Connected:
    client: Client
    tools: tuple[OwnerTool, ...]
    broken: asyncio.Event  # set by a call that found the connection gone


class McpServers:
    """The servers of the `[mcp]` tables; `start` connects, `close` disconnects."""

    def __init__(
        self, servers: tuple[McpServerSettings, ...], *, retry: float = RETRY_SECONDS
    ) -> None:
        self._servers = {s.name: s for s in servers}
        self._retry = retry
        self._live: dict[str, _Connected] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = asyncio.Event()

    @property
    def configured(self) -> tuple[str, ...]:
        return tuple(self._servers)

    async def start(self) -> None:
        """Connect to every server at once, waiting at most CONNECT_TIMEOUT for the first
        attempts: a server down at start-up costs its tools, never the bot's start."""
        if not self._servers:
            return
        first = {name: asyncio.Event() for name in self._servers}
        self._tasks = [
            asyncio.create_task(self._hold(server, first[name]), name=f"mcp-{name}")
            for name, server in self._servers.items()
        ]
        waits = [asyncio.create_task(event.wait()) for event in first.values()]
        _, pending = await asyncio.wait(waits, timeout=CONNECT_TIMEOUT + 1)
        for wait in pending:
            wait.cancel()

    async def close(self) -> None:
        self._closing.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []

    def offered(self, allowed: tuple[str, ...]) -> tuple[OwnerTool, ...]:
        return tuple(
            tool
            for name, live in self._live.items()
            for tool in live.tools
            if allows(allowed, name, tool.name)
        )

    def unreachable(self) -> tuple[str, ...]:
        return tuple(name for name in self._servers if name not in self._live)

    async def call(self, tool: OwnerTool, arguments: dict[str, Any]) -> CallOutcome:
        server = self._servers.get(tool.server)
        live = self._live.get(tool.server)
        if server is None or live is None:
            return CallOutcome(f"The {tool.server} server cannot be reached now.", failed=True)
        try:
            async with asyncio.timeout(server.timeout + 1):
                result = await live.client.call_tool(
                    tool.name, arguments, read_timeout_seconds=server.timeout
                )
        except TimeoutError:
            return _timed_out(tool, server)
        except MCPError as exc:
            if "timed out" in exc.error.message:  # the SDK's own read timeout
                return _timed_out(tool, server)
            logger.warning("MCP %s: %s was refused: %s", tool.server, tool.name, exc.error.message)
            return CallOutcome(f"The tool {tool.name} failed: {exc.error.message}", failed=True)
        except Exception as exc:  # a dropped connection, in any of the transport's types
            logger.warning(
                "MCP %s: calling %s failed (%s); reconnecting",
                tool.server,
                tool.name,
                type(exc).__name__,
            )
            live.broken.set()
            return CallOutcome(f"The {tool.server} server cannot be reached now.", failed=True)
        text = capped(result_text(result), server.max_result_chars)
        if result.is_error:
            logger.info("MCP %s: %s reported an error", tool.server, tool.name)
        return CallOutcome(text, failed=result.is_error)

    async def _hold(self, server: McpServerSettings, first: asyncio.Event) -> None:
        """Keep a connection to `server` until closing, reconnecting when it breaks."""
        while not self._closing.is_set():
            broken = asyncio.Event()
            try:
                async with contextlib.AsyncExitStack() as stack:
                    client = await stack.enter_async_context(await _client(server, stack))
                    async with asyncio.timeout(CONNECT_TIMEOUT):
                        listing = await client.list_tools()
                    tools = _owner_tools(server, listing.tools)
                    self._live[server.name] = _Connected(client, tools, broken)
                    logger.info(
                        "MCP server %s (%s): %d tools: %s",
                        server.name,
                        server.where,
                        len(tools),
                        ", ".join(t.name for t in tools) or "none",
                    )
                    first.set()
                    await _either(broken, self._closing)
            except Exception as exc:  # unreachable, refused, or a server that is not MCP
                logger.warning(
                    "MCP server %s (%s) cannot be reached (%s); its tools are off until it "
                    "answers (next try in %g s)",
                    server.name,
                    server.where,
                    _reason(exc),
                    self._retry,
                )
            finally:
                self._live.pop(server.name, None)
            first.set()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._retry):  # not wait_for: see journal_feed
                    await self._closing.wait()


async def _client(server: McpServerSettings, stack: contextlib.AsyncExitStack) -> Client:
    """The SDK's client for `server` (its HTTP client closed with `stack`)."""
    if server.url:
        http = await stack.enter_async_context(
            httpx2.AsyncClient(
                headers=dict(server.headers),
                timeout=httpx2.Timeout(CONNECT_TIMEOUT, read=server.timeout + 5),
            )
        )
        return Client(streamable_http_client(server.url, http_client=http))
    program, *arguments = server.command
    return Client(StdioServerParameters(command=program, args=arguments, env=dict(server.env)))


async def _either(first: asyncio.Event, second: asyncio.Event) -> None:
    waits = [asyncio.create_task(first.wait()), asyncio.create_task(second.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


def _owner_tools(server: McpServerSettings, listed: list[mcp_types.Tool]) -> tuple[OwnerTool, ...]:
    found = []
    for tool in listed:
        if not server.offers(tool.name):
            continue
        hints = tool.annotations
        found.append(
            OwnerTool(
                server=server.name,
                name=tool.name,
                description=(tool.description or tool.title or tool.name)[:1024],
                parameters=_schema(tool.input_schema),
                confirm=server.needs_confirmation(tool.name),
                repeatable=bool(hints and (hints.read_only_hint or hints.idempotent_hint)),
            )
        )
    return tuple(found)


def _schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """An object schema the model's API takes (some servers leave `properties` out)."""
    found = dict(schema)
    found.setdefault("type", "object")
    found.setdefault("properties", {})
    return found


def result_text(result: mcp_types.CallToolResult) -> str:
    """What the model reads of a result: its text, other content named, or the structured
    value as JSON when there is no text."""
    parts: list[str] = []
    for block in result.content:
        if isinstance(block, mcp_types.TextContent):
            parts.append(block.text)
        elif isinstance(block, mcp_types.ImageContent | mcp_types.AudioContent):
            parts.append(f"[{block.type}: {block.mime_type}, not shown]")
        elif isinstance(block, mcp_types.ResourceLink):
            parts.append(f"[resource: {block.uri}]")
        elif isinstance(block, mcp_types.EmbeddedResource):
            resource = block.resource
            text = getattr(resource, "text", None)
            parts.append(text if isinstance(text, str) else f"[resource: {resource.uri}]")
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return "\n".join(parts) or "(no output)"


def _timed_out(tool: OwnerTool, server: McpServerSettings) -> CallOutcome:
    logger.warning("MCP %s: %s took over %g s", tool.server, tool.name, server.timeout)
    return CallOutcome(
        f"The tool {tool.name} did not answer within {server.timeout:g} seconds.", failed=True
    )


def _reason(exc: BaseException) -> str:
    """A short cause, without URLs or headers (an exception's text may hold either)."""
    if isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        return _reason(exc.exceptions[0])
    if isinstance(exc, MCPError):
        return f"MCP error {exc.code}"
    return type(exc).__name__
