"""The webhook: Telegram posts each update here, and hears 200 only once it is kept.

python-telegram-bot's own webhook server answers 200 before a handler has run, so an update
acknowledged just before a crash is gone. Here the update is written to the journal first
(keyed by its id: a repeated delivery is recognised); with the database away the answer is 503
with Retry-After, and Telegram keeps the update and tries again. The secret header is compared
in constant time. `GET /healthz` says the process runs; `GET /readyz`, that it can keep updates.

aiohttp.web, not PTB's tornado server: the web pages (the Mini App, the web chat) are served by
this same server when WEB_LISTEN is WEBHOOK_LISTEN.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable

from aiohttp import web

from bot import listening
from bot.ingress.routing import read_update
from bot.ingress.webhook_errors import WebhookUnavailable
from storage import StorageUnavailable
from storage.coordination import UpdateJournal

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_AFTER_SECONDS = 5  # Telegram honours it per update, instead of backing off to minutes
REFUSAL_LOG_EVERY = 60.0  # one line a minute for refused requests, not one each


class WebhookServer:
    def __init__(
        self,
        journal: UpdateJournal,
        *,
        path: str,
        secret: str,
        arrived: Callable[[], None],
        listen: tuple[str, int],
        pages: Callable[[web.Application], None] | None = None,
    ) -> None:
        """`pages`: adds the web pages' routes, where they share this server (WEB_LISTEN is
        WEBHOOK_LISTEN)."""
        self._journal = journal
        self._secret = secret.encode()
        self._arrived = arrived  # a new update is kept: the answering process looks
        self._listen = listen
        self._runner: web.AppRunner | None = None
        self._logged: dict[str, float] = {}
        self.port = 0
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post(path or "/", self._receive)
        app.router.add_get("/healthz", self._alive)
        app.router.add_get("/readyz", self._ready)
        if pages is not None:
            pages(app)
        self._app = app

    async def start(self) -> None:
        """Listen on WEBHOOK_LISTEN; WebhookUnavailable says why it cannot."""
        host, port = self._listen
        try:
            self._runner, self.port = await listening.listen(self._app, host, port)
        except listening.CannotListen as exc:
            raise WebhookUnavailable(f"cannot take webhooks on {host}:{port}: {exc}") from exc
        logger.info("Taking webhooks on %s:%d", host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self._log_now_and_then(
                "secret",
                "Refused a webhook request from %s: wrong or missing secret header (is "
                "WEBHOOK_SECRET the same in every process?)",
                request.remote,
            )
            return web.Response(status=401, text="Unauthorized")
        found = read_update(await request.read())
        if found is None:
            self._log_now_and_then("body", "Refused a webhook request: not a Telegram update")
            return web.Response(status=400, text="Bad Request: not an update")
        update_id, chat_id, body = found
        try:
            fresh = await self._journal.record(update_id, chat_id, body)
        except StorageUnavailable as exc:
            self._log_now_and_then(
                "storage", "Asked Telegram to send updates again later (503): %s", exc
            )
            return web.Response(
                status=503,
                text="Service Unavailable",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if fresh:
            self._arrived()
        else:
            logger.debug("Update %d was delivered again: already kept", update_id)
        return web.Response(status=200)

    async def _alive(self, request: web.Request) -> web.Response:
        return web.Response(text="alive")

    async def _ready(self, request: web.Request) -> web.Response:
        try:
            await self._journal.waiting()
        except StorageUnavailable:
            return web.Response(status=503, text="the database is not answering")
        return web.Response(text="ready")

    def _log_now_and_then(self, kind: str, message: str, *args: object) -> None:
        now = time.monotonic()
        if now - self._logged.get(kind, -REFUSAL_LOG_EVERY) >= REFUSAL_LOG_EVERY:
            self._logged[kind] = now
            logger.warning(message, *args)
