"""Serve an aiohttp handler on 127.0.0.1 at a free port: the fakes' shared plumbing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LoopbackServer:
    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def serve(
        self, route: str, handler: Handler, more: dict[str, Handler] | None = None
    ) -> None:
        """Serve `handler` at `route`, and each of `more`'s routes with its handler.

        Bodies up to 64 MB, as the real services take: a 20 MB PDF is ~27 MB as base64."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", route, handler)
        for path, extra in (more or {}).items():
            app.router.add_route("*", path, extra)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
