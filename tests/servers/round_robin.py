"""A small round-robin proxy, as a TLS-terminating reverse proxy in front of several bot
processes would be (without the TLS): each request goes to the next process in turn; one that
refuses the connection (stopped, not started yet) is skipped, as proxies' passive health checks
skip it. Bodies, the status, and the headers that matter pass through unchanged."""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web

from tests.fakes.loopback import LoopbackServer

PASSED_HEADERS = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token", "Retry-After")


class RoundRobinProxy:
    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self._turns = itertools.count()
        self._server = LoopbackServer()
        self._session: aiohttp.ClientSession | None = None
        self.forwarded: list[tuple[int, int]] = []  # (process port, status)

    @property
    def port(self) -> int:
        return self._server.port

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        await self._server.serve("/{path:.*}", self._forward)

    async def stop(self) -> None:
        await self._server.close()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k in PASSED_HEADERS}
        start = next(self._turns)
        for n in range(len(self.ports)):
            port = self.ports[(start + n) % len(self.ports)]
            try:
                async with self._session.post(
                    f"http://127.0.0.1:{port}{request.path}", data=body, headers=headers
                ) as response:
                    text = await response.read()
                    passed = {k: v for k, v in response.headers.items() if k in PASSED_HEADERS}
                    self.forwarded.append((port, response.status))
                    return web.Response(status=response.status, body=text, headers=passed)
            except aiohttp.ClientConnectionError:
                continue
        return web.Response(status=502, text="Bad Gateway: no process is answering")
