"""The process's way in: updates kept in the journal (by webhook, or polled by the leader) and
handed to the handlers by the process that holds their chat.

Every process takes webhooks (if WEBHOOK_URL is set) and answers the chats it holds. One of
them also leads: it polls (without a webhook: only one process may call getUpdates), registers
the webhook and the commands, and runs the jobs that run once. Stopping hands every lease over.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application, Updater

from bot.ingress.chat_leases import ChatLeases
from bot.ingress.journal_feed import JournalFeed, Unfinished
from bot.ingress.leadership import Leadership
from bot.ingress.lease_book import LeaseBook
from bot.ingress.routing import chat_of
from storage import StorageUnavailable
from storage.coordination import Leases, UpdateJournal

if TYPE_CHECKING:  # aiohttp is imported only by bots that serve webhooks or web pages
    from aiohttp import web

    from bot.ingress.webhook import WebhookServer

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
Polling = Callable[[Updater], Awaitable[None]]  # starts the updater polling
KEEP_RETRY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    url: str
    secret: str
    listen: tuple[str, int]
    max_connections: int
    allowed_updates: list[str]


@dataclass
class Intake:
    book: LeaseBook
    leadership: Leadership
    chats: ChatLeases
    journal: UpdateJournal
    leases: Leases
    webhook_settings: WebhookSettings | None
    journal_poll: float
    unfinished: Unfinished
    webhook: WebhookServer | None = None
    feed: JournalFeed | None = None
    updater: Updater | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    led: asyncio.Event = field(default_factory=asyncio.Event)  # this process leads, set up
    _keeping: asyncio.Task[None] | None = None

    @property
    def by_webhook(self) -> bool:
        return self.webhook_settings is not None

    async def open(
        self, application: AnyApplication, pages: Callable[[web.Application], None] | None = None
    ) -> None:
        """Take webhooks (every process does), before this process answers anything; `pages`
        adds the web pages' routes to the webhook's server (WEB_LISTEN is WEBHOOK_LISTEN)."""
        self.feed = JournalFeed(
            self.journal,
            self.chats,
            lambda body: _handle(application, body),
            self.unfinished,
            poll=self.journal_poll,
        )
        settings = self.webhook_settings
        if settings is not None:
            from bot.ingress.webhook import WebhookServer

            self.webhook = WebhookServer(
                self.journal,
                path=urlsplit(settings.url).path or "/",
                secret=settings.secret,
                arrived=self.feed.arrived,
                listen=settings.listen,
                pages=pages,
            )
            await self.webhook.start()

    async def answer(
        self, application: AnyApplication, jobs: Callable[[], Awaitable[None]], polling: Polling
    ) -> None:
        """Answer the chats this process claims; lead (poll, run `jobs`) if it gets the lead."""
        assert self.feed is not None, "open() first"
        try:
            await self.book.beat("answering")
        except StorageUnavailable as exc:
            logger.warning("Could not write this process's heartbeat: %s", exc)
        self._keeping = asyncio.create_task(self.book.keep())
        self._background(self.feed.run())

        async def lead() -> None:
            try:
                await jobs()
            except Exception:  # the menus, say, refused: updates must come in all the same
                logger.exception("The jobs a leading process runs at start failed")
            settings = self.webhook_settings
            if settings is not None:
                await register_webhook(application.bot, settings)
                self.led.set()
                return
            queue: asyncio.Queue[object] = asyncio.Queue()
            self.updater = Updater(bot=application.bot, update_queue=queue)
            await self.updater.initialize()
            await polling(self.updater)
            self._background(self._keep_polled(application, queue))
            self.led.set()

        self._background(self.leadership.run(lead))

    async def _keep_polled(self, application: AnyApplication, queue: asyncio.Queue[object]) -> None:
        """The leader's polled updates into the journal (then any process may answer them),
        each batch Telegram sent in one transaction.

        Updates the database will not keep, for chats no other process could be answering
        (this one holds them, or is alone), go straight to the handlers as one process's
        would: the user is told the bot cannot take messages now, instead of hearing nothing."""
        assert self.feed is not None
        while True:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            updates = [u for u in batch if isinstance(u, Update)]
            rows = [(u.update_id, chat_of(raw := u.to_dict()), json.dumps(raw)) for u in updates]
            while True:
                try:
                    await self.journal.record_many(rows)
                    self.feed.arrived()
                    break
                except StorageUnavailable as exc:
                    logger.warning("Could not keep %d updates: %s", len(rows), exc)
                    if all(self.chats.owns(c) for _, c, _ in rows) or not self.book.others:
                        for update in updates:
                            self._background(application.process_update(update))
                        break
                    await asyncio.sleep(KEEP_RETRY_SECONDS)

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    @property
    def taking_updates(self) -> bool:
        """Whether updates reach this process: its feed runs, and as the leader without a
        webhook, it polls (`python -m bot health` fails when its heartbeat stops)."""
        feeding = any(not t.done() for t in self.tasks)
        polls = self.updater is None or self.updater.running
        return feeding and (self.by_webhook or polls)

    @property
    def others_alive(self) -> bool:
        """Whether another process of the bot was alive at the last heartbeat."""
        return bool(self.book.others)

    async def stop_reading(self, within: float) -> None:
        """Stopping: poll and read no more; let the handlers running finish. The leases are
        still renewed until `close()`, while the answers being written finish."""
        if self.updater is not None and self.updater.running:
            await self.updater.stop()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.feed is not None:
            await self.feed.finish(within)

    async def close(self) -> None:
        """Hand every lease over, stop taking webhooks, say this process has gone."""
        if self._keeping is not None:
            self._keeping.cancel()
            await asyncio.gather(self._keeping, return_exceptions=True)
        await self.book.give_back_all()
        self.chats.forget()
        if self.webhook is not None:
            await self.webhook.stop()
        if self.updater is not None:
            await self.updater.shutdown()
        await self.book.left()

    async def status_lines(self, bot: Bot) -> list[str]:
        """For /status: the bot's processes and what each does; how updates come in."""
        try:
            others = await self.book.look_around()
            chats = await self.leases.held_per_holder("chat:")
        except StorageUnavailable:
            others, chats = self.book.others, {}
        me = f"{self.book.identity.id} {self.book.role}, {len(self.chats.owned)} chats"
        seen = [
            f"{p.id} {p.role}, {chats.get(p.id, 0)} chats, seen {p.age:.0f} s ago" for p in others
        ]
        lines = [f"processes: {me} (this one)" + "".join(f"; {s}" for s in seen)]
        if self.webhook_settings is None:
            return [*lines, "updates: long polling, by the process that leads"]
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
