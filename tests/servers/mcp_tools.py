"""A real MCP server for the tests, written with the `mcp` SDK: the owner's "house" tools.

`python -m tests.servers.mcp_tools --fd N` serves streamable HTTP on the listening socket it
inherits as file descriptor N (the test bound it: its port is known before the server starts; with
`--token T`, only to requests bearing it); `--stdio` serves a bot that starts it as a command.
Every call is appended to `--journal` (one JSON line: the tool and its arguments) when it
*starts* and when it *ends*, so a test can count what ran, and see a call cut short.

Tools: `weather` (read-only), `add_event` (changes things: the owner asks for confirmation),
`broken` (always fails), `hang` (never answers: a call a test can cut short, e.g. by stopping the
bot mid-call).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

WEATHER = {"lisbon": "sunny, 21 °C", "oslo": "snow, -4 °C", "recife": "rain, 27 °C"}


def build(journal: Path | None) -> MCPServer:
    server = MCPServer("house")

    def note(tool: str, stage: str, **arguments: Any) -> None:
        if journal is not None:
            with journal.open("a", encoding="utf-8") as file:
                entry = {"tool": tool, "stage": stage, "at": time.monotonic(), **arguments}
                file.write(json.dumps(entry) + "\n")

    @server.tool(annotations=ToolAnnotations(read_only_hint=True))
    def weather(city: str) -> str:
        """Today's weather in a city."""
        note("weather", "start", city=city)
        found = WEATHER.get(city.strip().lower(), "no report")
        note("weather", "end", city=city)
        return f"Weather in {city}: {found}"

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False))
    def add_event(title: str, day: str) -> str:
        """Add an event to the family calendar."""
        note("add_event", "start", title=title, day=day)
        note("add_event", "end", title=title, day=day)
        return f"Added '{title}' on {day}."

    @server.tool()
    def broken() -> str:
        """A tool whose service is down."""
        note("broken", "start")
        raise RuntimeError("the calendar service is down")

    @server.tool()
    async def hang() -> str:
        """A tool that never answers."""
        note("hang", "start")
        await asyncio.Event().wait()
        return "never"

    return server


class Timed:
    """Journals when each HTTP request arrived and when its answer was sent in full (the
    benchmark tells the server's own time from the bot's by these)."""

    def __init__(self, app: ASGIApp, journal: Path) -> None:
        self._app = app
        self._journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        received = time.monotonic()

        async def timed_send(message: MutableMapping[str, Any]) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                entry = {"tool": "", "stage": "http", "received": received,
                         "sent": time.monotonic()}  # fmt: skip
                with self._journal.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(entry) + "\n")

        await self._app(scope, receive, timed_send)


class BearerOnly:
    """Refuses requests without the token (401), as a server guarding the owner's data does."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            if request.headers.get("authorization") != f"Bearer {self._token}":
                response: Response = JSONResponse({"error": "unauthorized"}, status_code=401)
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int)
    parser.add_argument("--stdio", action="store_true")
    parser.add_argument("--token")
    parser.add_argument("--journal", type=Path)
    parser.add_argument("--json", action="store_true", help="answer with JSON, not SSE")
    options = parser.parse_args()
    server = build(options.journal)
    if options.stdio:
        server.run("stdio")
        return
    app: Starlette = server.streamable_http_app(json_response=options.json)
    guarded: ASGIApp = BearerOnly(app, options.token) if options.token else app
    if options.journal is not None:
        guarded = Timed(guarded, options.journal)
    config = uvicorn.Config(guarded, fd=options.fd, log_level="warning")
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
