"""Whether Telegram answers: one line when it stops, one when it is back, and patient sends.

During an outage PTB's polling retries by itself (backing off to 30 s), but logs a traceback
per failed poll; the bot's own sends would fail and lose the answer. Here every request reports
to one `TelegramLink`, so an outage of minutes is two log lines and a `/status` entry, and an
answer waits (`until_delivered`) until Telegram takes it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, TypeVar

from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.request import HTTPXRequest, RequestData

logger = logging.getLogger(__name__)

T = TypeVar("T")
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 30.0  # as PTB's polling: an answer goes out at most 30 s after recovery


class TelegramLink:
    """The bot's view of its connection to Telegram, fed by every request it makes."""

    def __init__(self, first_retry: float = FIRST_RETRY_SECONDS) -> None:
        self._first_retry = first_retry
        self.down_since: float | None = None  # time.time() of the first failure
        self._cause = ""
        self._reached = False  # until Telegram first answers, start-up reports (bot.lifecycle)

    def failed(self, cause: str) -> None:
        if self.down_since is None and self._reached:
            self.down_since = time.time()
            self._cause = cause
            logger.warning("Telegram is not reachable (%s); retrying until it is back", cause)

    def answered(self) -> None:
        self._reached = True
        if self.down_since is not None:
            seconds = time.time() - self.down_since
            self.down_since = None
            logger.warning("Telegram is reachable again after %.0f s", seconds)

    def polling_failed(self, exc: TelegramError) -> None:
        """PTB's polling error callback: the outage's one line instead of a traceback a poll."""
        self.failed(cause_of(exc))
        logger.debug("Polling failed: %s", cause_of(exc))

    def describe(self) -> str:
        """For /status."""
        if self.down_since is None:
            return "reachable"
        return f"unreachable for {time.time() - self.down_since:.0f} s ({self._cause})"

    async def until_delivered(self, send: Callable[[], Awaitable[T]], what: str) -> T:
        """`send()` again, backing off, while Telegram is unreachable; other errors raise.

        Telegram may have taken a request whose answer timed out, so a retry can, rarely,
        deliver a message twice; never delivering it would be worse. A shutdown cancels the
        wait and the inbox keeps the answer for the next start.
        """
        wait = self._first_retry
        attempt = 1
        while True:
            try:
                return await send()
            except BadRequest:
                raise
            except NetworkError as exc:
                self.failed(cause_of(exc))
                log = logger.warning if attempt == 1 else logger.debug
                log("%s waits for Telegram (attempt %d: %s)", what, attempt, cause_of(exc))
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_RETRY_SECONDS)
            attempt += 1


class WatchedRequest(HTTPXRequest):
    """PTB's HTTP client, reporting to the link whether Telegram answered each request."""

    def __init__(self, link: TelegramLink, **options: Any) -> None:
        super().__init__(**options)
        self._link = link

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        try:
            code, body = await super().do_request(
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except NetworkError as exc:
            self._link.failed(cause_of(exc))
            raise
        if code < 500:
            self._link.answered()
            return code, body
        # Telegram's front answers an HTML page (502, 504) while the service is down; PTB
        # would log a traceback for the page before raising NetworkError. Give it the API's
        # own error shape instead.
        reason = f"HTTP {code} {_phrase(code)}"
        self._link.failed(reason)
        if not body.lstrip().startswith(b"{"):
            body = json.dumps({"ok": False, "error_code": code, "description": reason}).encode()
        return code, body


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "server error"


def cause_of(exc: BaseException) -> str:
    """The innermost reason, e.g. "All connection attempts failed", not PTB's wrapper text."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc) or type(exc).__name__
