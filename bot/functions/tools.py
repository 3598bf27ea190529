"""The owner's tools as every layer speaks of them, and the pure rules for calling them.

A tool is offered to the model as a function named `<server>__<tool>`, so two servers may each
have a `search`; its result is text, cut to the server's cap (every character of it is read,
and billed, on the model's side).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

SEPARATOR = "__"
NOT_NAME = re.compile(r"[^a-zA-Z0-9_-]")
MAX_FUNCTION_NAME = 64  # the APIs' limit on a function's name


@dataclass(frozen=True, slots=True)
class OwnerTool:
    """One tool of one MCP server, as a persona may offer it to the model."""

    server: str
    name: str  # as the server calls it
    description: str
    parameters: Mapping[str, Any] = field(repr=False)  # its JSON Schema (an object's)
    confirm: bool = False  # the user says Yes before it runs
    # Safe to run again after a restart cut a call short: the server says it only reads, or
    # that the same call twice does what it does once.
    repeatable: bool = False

    @property
    def function(self) -> str:
        return function_name(self.server, self.name)


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What the model reads of a call; `failed`: the call did not do its work."""

    text: str
    failed: bool = False


class ToolServers(Protocol):
    """The MCP servers the bot was given: their tools, and a way to call them."""

    def offered(self, allowed: tuple[str, ...]) -> tuple[OwnerTool, ...]:
        """The tools named by a persona's `mcp` list ("server" or "server.tool") that their
        servers listed; a server that could not be reached offers none."""
        ...

    def unreachable(self) -> tuple[str, ...]:
        """Servers whose tools are unknown: not reached at start-up, nor since."""
        ...

    async def call(self, tool: OwnerTool, arguments: dict[str, Any]) -> CallOutcome:
        """Run the tool; never raises: a failure is an outcome the model reads."""
        ...


def function_name(server: str, tool: str) -> str:
    """The name the model calls a tool by: `<server>__<tool>`, in the characters and length the
    APIs allow (a longer name keeps its end unique with a short hash)."""
    name = NOT_NAME.sub("_", f"{server}{SEPARATOR}{tool}")
    if len(name) > MAX_FUNCTION_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: MAX_FUNCTION_NAME - 9]}_{digest}"
    return name


def allows(allowed: tuple[str, ...], server: str, tool: str) -> bool:
    """Whether a persona's `mcp = ["calendar", "home.lights_on"]` names this tool."""
    return server in allowed or f"{server}.{tool}" in allowed


def capped(text: str, limit: int) -> str:
    """At most `limit` characters, saying that the rest was cut (so the model does not take a
    part for the whole)."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[… cut: the result had {len(text):,} characters]"


def parsed_arguments(raw: str) -> dict[str, Any] | None:
    """The model's arguments (a JSON object as text); None if they are not one."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def call_key(function: str, arguments: str) -> str:
    """Names a call within a turn, the same after a restart: its function and arguments (so a
    turn run again by a backend that keeps no state finds the call it made before)."""
    canonical = arguments
    if (parsed := parsed_arguments(arguments)) is not None:
        canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{function}\n{canonical}".encode()).hexdigest()[:32]
