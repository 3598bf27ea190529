"""Tiny regex routing for the fake OpenAI server (GET query parameters arrive as the body)."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class ApiCall:
    """One request: the aiohttp request, the ids matched in its path, and its JSON (or query)."""

    request: web.Request
    ids: dict[str, str]
    body: dict[str, Any]
    received_at: float = field(default_factory=time.monotonic)  # before the body was read


Handler = Callable[[ApiCall], Awaitable[web.StreamResponse]]


@dataclass
class Route:
    method: str
    pattern: str
    handler: Handler
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self.regex = re.compile(self.pattern)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        found = self.regex.fullmatch(path)
        return found.groupdict() if found else None
