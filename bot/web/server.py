"""The web pages' own server on WEB_LISTEN (when it is not the webhook's address: then the
webhook's server serves them too, and this one does nothing)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot import listening
from bot.web.app import WebApp

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 64 * 1024  # a web chat message and its form, with room to spare


class WebServer:
    def __init__(self, pages: WebApp, listen: tuple[str, int] | None, url: str) -> None:
        """`listen`: the pages' own address; None where the webhook's server has them."""
        self.pages = pages
        self._listen = listen
        self._url = url
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def shared(self) -> bool:
        """Served by the webhook's server (`pages.install` goes to it before it starts)."""
        return self._listen is None

    async def start(self) -> None:
        """Serve the pages; CannotListen says why it cannot."""
        if self._listen is None:
            logger.info("Web pages at %s (served with the webhook)", self._url)
            return
        app = web.Application(client_max_size=MAX_FORM_BYTES)
        self.pages.install(app)
        host, port = self._listen
        self._runner, self.port = await listening.listen(app, host, port)
        logger.info("Web pages at %s (listening on %s:%d)", self._url, host, self.port)

    async def stop(self) -> None:
        """End the web chat's streams, then stop listening (a shared server stops with the
        webhook's)."""
        self.pages.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
