"""The bot process's life: start-up that explains itself, the run, and a stop that never hangs.

An owner reads these lines in `docker logs` or the journal, so each expected condition is one
line saying what to do, never a traceback, and nothing the process prints carries a secret.
What can be checked without Telegram (the database, the model server, who may talk) is checked
before waiting for Telegram. Stop signals are ours, not python-telegram-bot's: its handler raises
SystemExit wherever the loop happens to be, so a second Ctrl+C during shutdown left the database
thread open and the process hung on exit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Updater

from bot.application import TelethreadApp
from bot.config import Config
from bot.delivery.telegram_link import cause_of
from bot.handlers import ALLOWED_UPDATES
from bot.ingress.intake import Intake
from bot.ingress.webhook_errors import WebhookUnavailable
from bot.services import Services
from bot.upkeep import lead
from bot.web.server import WebServer
from storage import StorageUnavailable, StorageUnreachable

if TYPE_CHECKING:  # aiohttp is imported only by bots that serve web pages or webhooks
    from bot.web.server import WebServer

logger = logging.getLogger("bot")

T = TypeVar("T")

FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0
LONGEST_DATABASE_RETRY_SECONDS = 10.0  # a database server that comes back is used soon
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# After a second stop signal, how long each remaining shutdown step may still take.
HURRIED_STEP_SECONDS = 0.5


class TokenRejected(Exception):
    """Telegram answered 401: the token is not (or no longer) a bot's."""


class StopRequests:
    """What stop signals asked for: the first a gentle stop (answers being written get
    SHUTDOWN_GRACE to finish), the second a stop now (they stay in the inbox for the next
    start), a third an exit on the spot, as a kill would be (the inbox is made for that)."""

    def __init__(self, grace: float, now: asyncio.Event) -> None:
        self.requested = asyncio.Event()
        self.now = now
        self._grace = grace

    def received(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if not self.requested.is_set():
            logger.info(
                "Stopping (%s): answers being written have up to %.0f s to finish; "
                "a second signal stops at once",
                name,
                self._grace,
            )
            self.requested.set()
        elif not self.now.is_set():
            logger.warning(
                "Stopping now (%s): unfinished answers stay in the inbox for the next start",
                name,
            )
            self.now.set()
        else:
            logger.warning("Stopping at once (%s): exiting without cleaning up", name)
            logging.shutdown()
            os._exit(1)

    async def bounded(self, work: Awaitable[None], what: str) -> None:
        """Run a shutdown step; once a stop is hurried, give it HURRIED_STEP_SECONDS at most.

        A step that fails or is cut short is logged: the steps after it still run."""
        task = asyncio.ensure_future(work)
        hurried = asyncio.ensure_future(self.now.wait())
        try:
            await asyncio.wait({task, hurried}, return_when=asyncio.FIRST_COMPLETED)
            if not task.done():
                await asyncio.wait({task}, timeout=HURRIED_STEP_SECONDS)
            if not task.done():
                logger.info("Stopping now: gave up waiting to %s", what)
                task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            if not task.cancelled() and (error := task.exception()) is not None:
                logger.warning("Could not %s: %r", what, error)
        finally:
            hurried.cancel()


async def run(application: TelethreadApp, services: Services) -> int:
    """Run the bot until stopped; the process's exit code (2: it could not start)."""
    stops = StopRequests(services.config.shutdown_grace, services.stop_now)
    loop = asyncio.get_running_loop()
    for stop in STOP_SIGNALS:
        loop.add_signal_handler(stop, stops.received, stop)
    code = 1
    try:
        code = await serve(application, services, stops)
    finally:
        await shut_down(application, stops)
        # Everything is closed; the interpreter's own exit takes a few hundred ms more. A signal
        # then only hurries the exit (Python's default would print a KeyboardInterrupt).
        for stop in STOP_SIGNALS:
            loop.remove_signal_handler(stop)
            signal.signal(stop, lambda *_: os._exit(code))
    return code


async def serve(application: TelethreadApp, services: Services, stops: StopRequests) -> int:
    """Check, connect, start and serve until a stop is requested; the exit code."""
    try:
        if not await until_stopped(open_store(services), stops):
            logger.info("Stopped before the database could be reached")
            return 0
    except StorageUnavailable as exc:
        setting = "DATABASE_URL" if services.config.database_url else "DATABASE_PATH"
        logger.error("Cannot start: %s (check %s)", exc, setting)
        return 2
    await services.store.settings.started()
    explain_access(services.config)
    checking = asyncio.create_task(services.check_model_server())  # logs its own line
    try:
        return await start(application, services, stops)
    finally:
        checking.cancel()


async def start(application: TelethreadApp, services: Services, stops: StopRequests) -> int:
    """Reach Telegram, start polling and wait for a stop; the exit code."""
    try:
        if not await until_stopped(connect(application), stops):
            logger.info("Stopped before Telegram could be reached")
            return 0
    except TokenRejected:
        logger.error(
            "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): copy it again from @BotFather"
        )
        return 2
    intake = intake_of(application)
    web = web_of(application)
    try:
        await intake.open(application, web.pages.install if web and web.shared else None)
    except WebhookUnavailable as exc:
        logger.error("Cannot start: %s (check WEBHOOK_LISTEN)", exc)
        return 2
    if application.post_init is not None and not await until_stopped(
        application.post_init(application), stops
    ):
        return 0
    await application.start()
    if web is not None:
        from bot.listening import CannotListen

        try:
            await web.start()
        except CannotListen as exc:
            host, port = services.config.web_listen or ("", 0)
            logger.error(
                "Cannot start: cannot serve the web pages on %s:%d: %s (check WEB_LISTEN)",
                host,
                port,
                exc,
            )
            return 2
    await intake.answer(
        application,
        lambda: lead(application, services.config, services),
        lambda updater: start_polling(application, updater),
    )
    await services.store.settings.heartbeat()  # healthy from now on, not at the first interval
    await stops.requested.wait()
    return 0


def web_of(application: TelethreadApp) -> WebServer | None:
    """The web pages' server (None: WEB_LISTEN is not set)."""
    web: WebServer | None = application.bot_data.get("web")
    return web


def intake_of(application: TelethreadApp) -> Intake:
    intake = application.bot_data["intake"]
    assert isinstance(intake, Intake)
    return intake


async def until_stopped(work: Awaitable[T], stops: StopRequests) -> bool:
    """Run `work` unless a stop comes first (then it is cancelled): whether it finished."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stops.requested.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return False
    task.result()  # its error, if any
    return True


async def start_polling(application: TelethreadApp, updater: Updater) -> None:
    """As run_polling starts polling (by the process that leads): pending updates are kept
    (messages sent while the bot was down are answered now), and polling errors go to the
    error handlers."""

    def polling_failed(error: Exception) -> None:
        application.create_task(application.process_error(update=None, error=error))

    await updater.start_polling(allowed_updates=ALLOWED_UPDATES, error_callback=polling_failed)


async def shut_down(application: TelethreadApp, stops: StopRequests) -> None:
    """As run_polling stops it, each step bounded once the stop is hurried; the database and
    the clients are closed last, whatever became of the steps before.

    A process with others of the bot alive hands over at once: the answers being written are
    left in the inbox and its leases expired, for the others to resume them by their ids —
    nobody waits for SHUTDOWN_GRACE or for a lease to lapse."""
    intake = intake_of(application)
    web = web_of(application)
    if web is not None:  # no new web chat messages; a page streaming an answer is cut off
        await stops.bounded(web.stop(), "stop serving the web pages")
    if intake.others_alive and intake.book.held:
        logger.info("Handing over to the other processes: they resume the answers being written")
        stops.now.set()
    await stops.bounded(intake.stop_reading(HURRIED_STEP_SECONDS), "stop taking updates")
    if application.running:
        await stops.bounded(application.stop(), "finish the updates being handled")
        if application.post_stop is not None:
            await stops.bounded(application.post_stop(application), "let answers finish")
    await stops.bounded(intake.close(), "hand the leases over")
    await stops.bounded(application.shutdown(), "close the Telegram connections")
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


def explain_access(config: Config) -> None:
    """A bot nobody may talk to looks broken to its new owner: say why, and what to do."""
    if config.allowed_users.nobody and config.allowed_chats.nobody and not config.admin_users:
        logger.warning(
            "Nobody may talk to the bot yet (ALLOWED_USERS is empty): write to it in Telegram "
            "to learn your id, then add it to ALLOWED_USERS"
        )


async def connect(application: TelethreadApp) -> None:
    """Initialize the application, waiting for Telegram as long as it takes.

    A machine that boots before its network should not need a restart loop: each failed attempt
    is one line with the cause, and the wait doubles up to a minute. A rejected token ends it.
    """
    wait = FIRST_RETRY_SECONDS
    attempt = 1
    while True:
        try:
            await application.initialize()
            return
        except InvalidToken as exc:
            raise TokenRejected from exc
        except NetworkError as exc:
            logger.warning(
                "Telegram is not reachable (attempt %d: %s); trying again in %.0f s",
                attempt,
                cause_of(exc),
                wait,
            )
        await asyncio.sleep(wait)
        wait = min(wait * 2, LONGEST_RETRY_SECONDS)
        attempt += 1


async def open_store(services: Services) -> None:
    """Open the database, waiting for its server as long as it takes (as for Telegram: one
    line per attempt with the cause); a database that cannot be used raises."""
    wait = FIRST_RETRY_SECONDS
    attempt = 1
    while True:
        try:
            await services.store.open()
            return
        except StorageUnreachable as exc:
            logger.warning(
                "The database is not reachable (attempt %d: %s); trying again in %.0f s",
                attempt,
                exc,
                wait,
            )
        await asyncio.sleep(wait)
        wait = min(wait * 2, LONGEST_DATABASE_RETRY_SECONDS)
        attempt += 1


def redact_uncaught() -> None:
    """Uncaught exceptions (main thread and others) and warnings go through the redacting log.

    The formatter scrubs log records only; an exception escaping to the interpreter would print
    its message, which may hold the token (PTB's own messages do), straight to stderr.
    """

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            return
        # The record, traceback included, is scrubbed by the redacting formatter.
        logger.critical("Unexpected error", exc_info=(kind, value, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
    logging.captureWarnings(True)
