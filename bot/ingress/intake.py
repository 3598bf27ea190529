"""The process's way in: standing by or answering, and taking updates by webhook or polling.

Every process opens the webhook (if WEBHOOK_URL is set) at once, so any of them can keep the
updates Telegram posts; then it waits for the lease (`Leadership`). The one that holds it
registers the webhook (or polls: only one process may call getUpdates), hands the journal's
updates to the handlers, and renews the lease; when it stops, it hands the lease over.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.ingress.journal_feed import JournalFeed
from bot.ingress.leadership import Leadership
from storage import StorageUnavailable
from storage.repositories import UpdateJournal

if TYPE_CHECKING:  # aiohttp is imported only by bots that take webhooks
    from bot.ingress.webhook import WebhookServer

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    url: str
    secret: str
    listen: tuple[str, int]
    max_connections: int
    allowed_updates: list[str]


@dataclass
class Intake:
    leadership: Leadership
    journal: UpdateJournal
    webhook_settings: WebhookSettings | None
    journal_poll: float
    webhook: WebhookServer | None = None
    feed: JournalFeed | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def by_webhook(self) -> bool:
        return self.webhook_settings is not None

    async def open(self, application: AnyApplication) -> None:
        """Take webhooks (every process does), then wait until this process answers."""
        settings = self.webhook_settings
        if settings is not None:
            from bot.ingress.webhook import WebhookServer

            self.feed = JournalFeed(
                self.journal,
                lambda update_id, body: _handle(application, body),
                poll=self.journal_poll,
            )
            feed = self.feed
            self.webhook = WebhookServer(
                self.journal,
                path=_path_of(settings.url),
                secret=settings.secret,
                arrived=feed.arrived,
                listen=settings.listen,
            )
            await self.webhook.start()
        await self.leadership.lead()

    async def answer(self, application: AnyApplication) -> None:
        """Now answering: keep the lease; register the webhook and read the journal."""
        self._background(self.leadership.keep())
        settings = self.webhook_settings
        if settings is None or self.feed is None:
            return
        await register_webhook(application.bot, settings)
        self._background(self.feed.run())

    def _background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def stop_reading(self, within: float) -> None:
        """Stopping: read no more of the journal; let the handlers running finish."""
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.feed is not None:
            await self.feed.finish(within)

    async def close(self) -> None:
        """Hand the lease over, stop taking webhooks, say this process has gone."""
        await self.leadership.hand_over()
        if self.webhook is not None:
            await self.webhook.stop()
        await self.leadership.left()

    async def status_lines(self, bot: Bot) -> list[str]:
        """For /status: the processes of the bot and what each does; how updates come in."""
        me = self.leadership.identity.id
        try:
            others = await self.leadership.others()
        except StorageUnavailable:
            others = []
        seen = [f"{p.id} {p.role}, seen {p.age:.0f} s ago" for p in others]
        lines = [
            f"processes: {me} {self.leadership.role} (this one)" + "".join(f"; {s}" for s in seen)
        ]
        if self.webhook_settings is None:
            return [*lines, "updates: long polling"]
        try:
            info = await bot.get_webhook_info()
        except TelegramError as exc:
            return [*lines, f"webhook: {self.webhook_settings.url} (Telegram did not say: {exc})"]
        webhook = f"webhook: {info.url or '(not set)'}, {info.pending_update_count} pending"
        if info.last_error_date is not None:
            ago = max(0, int(time.time() - info.last_error_date.timestamp()))
            webhook += f", last error {ago} s ago: {info.last_error_message}"
        return [*lines, webhook]


async def register_webhook(bot: Bot, settings: WebhookSettings) -> None:
    """Point Telegram at WEBHOOK_URL, with the secret and the update kinds (pending updates
    are kept: messages sent while no process ran are answered now)."""
    await bot.set_webhook(
        settings.url,
        secret_token=settings.secret,
        allowed_updates=settings.allowed_updates,
        max_connections=settings.max_connections,
    )
    logger.info("Telegram posts updates to %s", settings.url)


async def _handle(application: AnyApplication, body: str) -> None:
    update = Update.de_json(json.loads(body), application.bot)
    await application.process_update(update)


def _path_of(url: str) -> str:
    return urlsplit(url).path or "/"
