"""Pace Telegram requests within its flood limits, final answers first.

Why not python-telegram-bot's AIORateLimiter: it treats every request alike. Its group limiter
counts the typing action (every 4 s: 15 of a group's 20 messages a minute) and it cannot let an
answer overtake a draft, so under load the answers people wait for queue behind decoration.

The rules here:
- Limits: about 30 messages a second overall, 1 a second per chat, 20 a minute per group.
  Typing actions and drafts are kept off the per-chat and per-group budgets (the draft streamer
  paces itself to one update a second), so they never delay an answer.
- High priority (every request by default: answers, replies, final edits) waits for its budget,
  and on a 429 honours `retry_after` for that chat and tries again.
- Low priority (typing, drafts, interim edits; pass `rate_limit_args={"priority": "low"}` or use
  a low endpoint) is sent only when the budget is free now, with a fifth of it kept for answers,
  and no answer is waiting for it; otherwise it is skipped (reported as sent), and a 429 skips
  it instead of retrying. An acknowledgement (`{"priority": "ack"}`: the first typing or draft
  of a message) may use that fifth, but is skipped all the same when nothing is left.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

LOW_PRIORITY_ENDPOINTS = frozenset({"sendChatAction", "sendMessageDraft"})
LOW_PRIORITY_RESERVE = 0.2  # share of each window typing and drafts leave free for answers
OUTSIDE_MESSAGE_BUDGET = frozenset({"sendChatAction", "sendMessageDraft"})
Result = bool | dict[str, Any] | list[dict[str, Any]]

# Whether the last low-priority request made in this task was skipped. The limiter runs inside
# the caller's task, so a context variable carries the answer back without changing results.
SKIPPED: ContextVar[bool] = ContextVar("telegram_request_skipped", default=False)


def was_skipped() -> bool:
    """True if the last typing action, draft or interim edit in this task was not sent."""
    return SKIPPED.get()


@dataclass
class SlidingWindow:
    """At most `rate` events in any `period` seconds; remembers who is waiting for it."""

    rate: int
    period: float
    times: deque[float] = field(default_factory=deque)
    paused_until: float = 0.0
    waiting: int = 0
    queue: asyncio.Lock = field(default_factory=asyncio.Lock)  # FIFO: a chat's answers in order

    def wait_time(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()
        wait = self.paused_until - now
        if len(self.times) >= self.rate:
            wait = max(wait, self.times[0] + self.period - now)
        return max(0.0, wait)

    def take(self, now: float) -> None:
        self.times.append(now)

    def spare(self, now: float, reserve: float) -> bool:
        """Room now, keeping `reserve` of the window free for answers."""
        return self.wait_time(now) == 0 and len(self.times) < max(1, int(self.rate * (1 - reserve)))

    def idle(self, now: float) -> bool:
        return self.waiting == 0 and self.wait_time(now) == 0 and not self.times


class TelegramRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        *,
        overall: tuple[int, float] = (30, 1.0),
        per_chat: tuple[int, float] = (1, 1.0),
        per_group: tuple[int, float] = (20, 60.0),
        max_retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._overall = SlidingWindow(*overall)
        self._per_chat = per_chat
        self._per_group = per_group
        self._chats: dict[int, SlidingWindow] = {}
        self._groups: dict[int, SlidingWindow] = {}
        self._max_retries = max_retries
        self._clock = clock
        self.skipped = 0  # low-priority requests skipped under pressure (for the benchmark)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> Result:
        chat_id = _chat_id(data.get("chat_id"))
        if chat_id is None:  # getUpdates, setMyCommands, answerCallbackQuery…: not messages
            return await callback(*args, **kwargs)
        priority = (rate_limit_args or {}).get("priority")
        windows = self._windows(chat_id, counts_as_message=endpoint not in OUTSIDE_MESSAGE_BUDGET)
        if priority == "ack":  # the first sign of life for a message: may use the reserve
            return await self._send_if_free(callback, args, kwargs, windows, endpoint, chat_id, 0.0)
        if priority == "low" or endpoint in LOW_PRIORITY_ENDPOINTS:
            return await self._send_if_free(
                callback, args, kwargs, windows, endpoint, chat_id, LOW_PRIORITY_RESERVE
            )
        return await self._send_when_allowed(callback, args, kwargs, windows, chat_id)

    def _windows(self, chat_id: int, *, counts_as_message: bool) -> list[SlidingWindow]:
        windows = [self._overall]
        paused = chat_id in self._chats and self._chats[chat_id].paused_until > self._clock()
        if counts_as_message or paused:  # typing and drafts only heed a chat's 429 pause
            windows.append(self._chat_window(chat_id))
        if counts_as_message and chat_id < 0:
            windows.append(self._window(self._groups, chat_id, self._per_group))
        return windows

    def _chat_window(self, chat_id: int) -> SlidingWindow:
        return self._window(self._chats, chat_id, self._per_chat)

    def _window(
        self, table: dict[int, SlidingWindow], key: int, limits: tuple[int, float]
    ) -> SlidingWindow:
        window = table.get(key)
        if window is None:
            if len(table) > 1000:  # forget chats that have been quiet for a whole period
                now = self._clock()
                for stale in [k for k, w in table.items() if w.idle(now)]:
                    del table[stale]
            window = table[key] = SlidingWindow(*limits)
        return window

    async def _send_if_free(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        windows: list[SlidingWindow],
        endpoint: str,
        chat_id: int,
        reserve: float,
    ) -> Result:
        now = self._clock()
        if any(w.waiting or not w.spare(now, reserve) for w in windows):
            self.skipped += 1
            logger.debug("Skipped %s to chat %s: budget needed for answers", endpoint, chat_id)
            SKIPPED.set(True)
            return True  # python-telegram-bot expects the method's result; SKIPPED tells the truth
        for window in windows:
            window.take(now)
        SKIPPED.set(False)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            self._pause(chat_id, exc)
            self.skipped += 1
            SKIPPED.set(True)
            return True

    async def _send_when_allowed(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        windows: list[SlidingWindow],
        chat_id: int,
    ) -> Result:
        for attempt in range(self._max_retries + 1):
            await self._acquire(windows)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self._max_retries:
                    raise
                self._pause(chat_id, exc)
                if self._chat_window(chat_id) not in windows:
                    windows = [*windows, self._chat_window(chat_id)]
        raise AssertionError("unreachable")

    async def _acquire(self, windows: list[SlidingWindow]) -> None:
        """Wait in line (per chat) until every window has room, then take a slot in each.

        While waiting, only the windows that hold it up are marked, so low-priority requests
        give way there — and only there: a chat pacing its own answers blocks nobody else.
        """
        blocking: list[SlidingWindow] = []
        try:
            async with windows[-1].queue:  # the most specific window: this chat or group
                while True:
                    now = self._clock()
                    for window in blocking:
                        window.waiting -= 1
                    blocking = [w for w in windows if w.wait_time(now) > 0]
                    for window in blocking:
                        window.waiting += 1
                    if not blocking:
                        for window in windows:
                            window.take(now)
                        return
                    await asyncio.sleep(max(w.wait_time(now) for w in blocking))
        finally:
            for window in blocking:
                window.waiting -= 1

    def _pause(self, chat_id: int, exc: RetryAfter) -> None:
        seconds = _seconds(exc)
        logger.warning("Telegram asked to wait %.1f s (chat %s)", seconds, chat_id)
        window = self._chat_window(chat_id)
        window.paused_until = max(window.paused_until, self._clock() + seconds)


def _chat_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # None, or a channel @username: not ours to pace


def _seconds(exc: RetryAfter) -> float:
    delay = exc._retry_after  # the timedelta behind the deprecated int property
    return float(delay.total_seconds())
