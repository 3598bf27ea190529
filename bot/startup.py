"""Start-up that explains itself: reaching Telegram, a rejected token, uncaught errors redacted.

An owner reads these lines in `docker logs` or the journal, so each expected condition is one
line saying what to do, never a traceback, and nothing the process prints carries a secret.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from types import TracebackType
from typing import Any

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.delivery.telegram_link import cause_of

logger = logging.getLogger("bot")

FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0


class TokenRejected(Exception):
    """Telegram answered 401: the token is not (or no longer) a bot's."""


async def connect(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
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
