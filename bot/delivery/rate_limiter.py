"""Pace Telegram requests within its flood limits, final answers first.

Why not python-telegram-bot's AIORateLimiter: it treats every request alike. Its group limiter
counts the typing action (every 4 s: 15 of a group's 20 messages a minute) and it cannot let an
answer overtake a draft, so under load the answers people wait for queue behind decoration.

The rules here:
- Limits: about 30 requests a second overall (Telegram counts typing actions and drafts too),
  1 message a second per chat, 20 a minute per group. Typing actions and drafts stay off the
  per-chat and per-group budgets (the draft streamer paces itself to one a second).
- A request holds its place in a budget from the moment it is sent until one period after
  Telegram answered it. Telegram counts a request when it arrives, which the bot cannot see;
  counting from the answer means no two requests can arrive closer than the limit allows, however
  the network or a busy event loop bunches them. The price is one round trip per period.
- Answers (the default priority: messages, final edits) wait for their budget, each chat's in
  order, and on a 429 honour `retry_after` for that chat and try again.
- Acknowledgements (`rate_limit_args={"priority": "ack"}`: a message's first typing action or
  draft) wait behind answers, as long as their caller does (or `ack_patience` seconds, then are
  skipped). Waiting costs nothing; retrying would cost a request build per attempt per chat.
- Low priority (typing refreshes, drafts, interim edits; `{"priority": "low"}` or a low endpoint)
  is sent only if the budget has room now, with a fifth of it to spare, and nobody waits for it;
  otherwise, or on a 429, it is skipped.
- Skipped requests are reported as sent (python-telegram-bot expects the method's result);
  `was_skipped()` tells the caller the truth.
- Each budget wakes exactly its next waiter when a place frees, so a thousand waiting chats cost
  one timer, not a thousand polling loops.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from contextvars import ContextVar
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot

logger = logging.getLogger(__name__)

# Telegram's limits as (messages, seconds), from python-telegram-bot's constants.
TELEGRAM_OVERALL = (int(FloodLimit.MESSAGES_PER_SECOND), 1.0)
TELEGRAM_PER_CHAT = (int(FloodLimit.MESSAGES_PER_SECOND_PER_CHAT), 1.0)
TELEGRAM_PER_GROUP = (int(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP), 60.0)
LOW_PRIORITY_ENDPOINTS = frozenset({"sendChatAction", "sendMessageDraft"})
OUTSIDE_MESSAGE_BUDGET = frozenset({"sendChatAction", "sendMessageDraft"})
LOW_PRIORITY_RESERVE = 0.4  # share of the budget typing and drafts leave to answers and acks
ANSWER, ACK = 0, 1  # priorities of the requests that wait, highest first
Result = bool | dict[str, Any] | list[dict[str, Any]]
Send = Callable[[], Coroutine[Any, Any, Result]]  # the request, ready to go

# Whether the last low-priority request made in this task was skipped. The limiter runs inside
# the caller's task, so a context variable carries the answer back without changing results.
SKIPPED: ContextVar[bool] = ContextVar("telegram_request_skipped", default=False)


def was_skipped() -> bool:
    """True if the last typing action, draft or interim edit in this task was not sent."""
    return SKIPPED.get()


def room_for_low_priority(bot: ExtBot[Any], chat_id: int, endpoint: str) -> bool:
    """Whether a typing action, draft or interim edit would be sent now rather than skipped.

    Asked before building one: under pressure skipping is the common case, and a draft's
    rendering or a request's construction would be wasted.
    """
    limiter = bot.rate_limiter
    return not isinstance(limiter, TelegramRateLimiter) or limiter.has_room(chat_id, endpoint)


class Budget:
    """At most `rate` requests in any `period`; hands out places to waiters by priority."""

    __slots__ = ("_answered", "_in_flight", "_queues", "_timer", "paused_until", "period", "rate")

    def __init__(self, rate: int, period: float) -> None:
        self.rate = rate
        self.period = period
        self.paused_until = 0.0  # a 429's retry_after
        self._answered: deque[float] = deque()  # when Telegram answered the recent requests
        self._in_flight = 0
        self._queues: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())
        self._timer: asyncio.TimerHandle | None = None

    def wait_time(self, now: float) -> float:
        """Seconds until a place frees; infinite while only requests in flight hold them."""
        answered = self._answered
        while answered and answered[0] <= now - self.period:
            answered.popleft()
        excess = len(answered) + self._in_flight - self.rate + 1  # places that must free first
        if excess <= 0:
            wait = 0.0
        elif excess <= len(answered):
            wait = answered[excess - 1] + self.period - now
        else:
            wait = math.inf
        return max(wait, self.paused_until - now, 0.0)

    def has_room(self, now: float, reserve: float = 0.0) -> bool:
        """A place now that nobody waits for, with `reserve` of the budget left over."""
        if any(self._queues) or self.wait_time(now) > 0:
            return False
        return len(self._answered) + self._in_flight < max(1, int(self.rate * (1 - reserve)))

    def idle(self, now: float) -> bool:
        return (
            not self._in_flight
            and not any(self._queues)
            and self.wait_time(now) == 0
            and (not self._answered)
        )

    def take(self) -> None:
        self._in_flight += 1

    def done(self, *, answered: bool = True) -> None:
        """The request ended; if it reached Telegram, it counts for a period from now."""
        self._in_flight -= 1
        if answered:
            self._answered.append(time.monotonic())
        self._serve()

    async def acquire(self, priority: int) -> None:
        """Wait for a place, behind everyone of the same or higher priority."""
        if not any(self._queues[: priority + 1]) and self.wait_time(time.monotonic()) == 0:
            self.take()
            return
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues[priority].append(ticket)
        self._serve()
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.cancelled():
                if ticket in self._queues[priority]:
                    self._queues[priority].remove(ticket)
            else:  # the place was ours as we were cancelled: give it back
                self.done(answered=False)
            raise

    def _serve(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for queue in self._queues:
            while queue:
                wait = self.wait_time(time.monotonic())
                if wait > 0:
                    if wait != math.inf:  # else the next `done()` serves
                        self._timer = asyncio.get_running_loop().call_later(wait, self._serve)
                    return
                ticket = queue.popleft()
                if not ticket.done():  # a cancelled waiter may not have left the queue yet
                    self.take()
                    ticket.set_result(None)


class TelegramRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        *,
        overall: tuple[int, float] = TELEGRAM_OVERALL,
        per_chat: tuple[int, float] = TELEGRAM_PER_CHAT,
        per_group: tuple[int, float] = TELEGRAM_PER_GROUP,
        max_retries: int = 5,
        ack_patience: float | None = None,
    ) -> None:
        self._overall = Budget(*overall)
        self._per_chat = per_chat
        self._per_group = per_group
        self._chats: dict[int, Budget] = {}
        self._groups: dict[int, Budget] = {}
        self._max_retries = max_retries
        self._ack_patience = ack_patience
        self.skipped = 0  # low-priority requests skipped under pressure (read by the tests)

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
        counts_as_message = endpoint not in OUTSIDE_MESSAGE_BUDGET
        budgets = self._budgets(chat_id, counts_as_message=counts_as_message)
        send = functools.partial(callback, *args, **kwargs)
        if priority == "ack" and not self._paused(chat_id):
            return await self._send_soon(send, budgets, chat_id)
        if priority in ("ack", "low") or endpoint in LOW_PRIORITY_ENDPOINTS:
            return await self._send_if_free(send, budgets, endpoint, chat_id)
        return await self._send_when_allowed(send, budgets, chat_id)

    def has_room(self, chat_id: int, endpoint: str) -> bool:
        """Whether a low-priority request to this chat would be sent now rather than skipped."""
        budgets = self._budgets(chat_id, counts_as_message=endpoint not in OUTSIDE_MESSAGE_BUDGET)
        return _room_now(budgets)

    def _budgets(self, chat_id: int, *, counts_as_message: bool) -> list[Budget]:
        """Most specific first, so a chat pacing itself holds no place in the overall budget."""
        budgets = []
        if counts_as_message or self._paused(chat_id):  # typing and drafts heed only a 429
            budgets.append(self._budget(self._chats, chat_id, self._per_chat))
        if counts_as_message and chat_id < 0:
            budgets.append(self._budget(self._groups, chat_id, self._per_group))
        budgets.append(self._overall)
        return budgets

    def _paused(self, chat_id: int) -> bool:
        budget = self._chats.get(chat_id)
        return budget is not None and budget.paused_until > time.monotonic()

    @staticmethod
    def _budget(table: dict[int, Budget], key: int, limits: tuple[int, float]) -> Budget:
        budget = table.get(key)
        if budget is None:
            if len(table) > 1000:  # forget chats that have been quiet for a whole period
                now = time.monotonic()
                for stale in [k for k, b in table.items() if b.idle(now)]:
                    del table[stale]
            budget = table[key] = Budget(*limits)
        return budget

    async def _send_when_allowed(self, send: Send, budgets: list[Budget], chat_id: int) -> Result:
        for attempt in range(self._max_retries + 1):
            await _acquire_all(budgets, ANSWER)
            try:
                return await send()
            except RetryAfter as exc:
                if attempt == self._max_retries:
                    raise
                self._pause(chat_id, exc)
            finally:
                for budget in budgets:
                    budget.done()
        raise AssertionError("unreachable")

    async def _send_soon(self, send: Send, budgets: list[Budget], chat_id: int) -> Result:
        try:
            async with asyncio.timeout(self._ack_patience):
                await _acquire_all(budgets, ACK)
        except TimeoutError:
            return self._skip("acknowledgement", chat_id)
        return await self._send_taken(send, budgets, chat_id)

    async def _send_if_free(
        self, send: Send, budgets: list[Budget], endpoint: str, chat_id: int
    ) -> Result:
        if not _room_now(budgets):
            return self._skip(endpoint, chat_id)
        for budget in budgets:
            budget.take()
        return await self._send_taken(send, budgets, chat_id)

    async def _send_taken(self, send: Send, budgets: list[Budget], chat_id: int) -> Result:
        """Send a request that already holds its places; a 429 skips it instead of retrying."""
        try:
            result = await send()
        except RetryAfter as exc:
            self._pause(chat_id, exc)
            return self._skip("request after a 429", chat_id)
        finally:
            for budget in budgets:
                budget.done()
        SKIPPED.set(False)
        return result

    def _skip(self, what: str, chat_id: int) -> Result:
        self.skipped += 1
        logger.debug("Skipped %s to chat %s: budget needed for answers", what, chat_id)
        SKIPPED.set(True)
        return True

    def _pause(self, chat_id: int, exc: RetryAfter) -> None:
        seconds = _seconds(exc)
        logger.warning("Telegram asked to wait %.1f s (chat %s)", seconds, chat_id)
        budget = self._budget(self._chats, chat_id, self._per_chat)
        budget.paused_until = max(budget.paused_until, time.monotonic() + seconds)


def _room_now(budgets: Sequence[Budget]) -> bool:
    """Room in every budget now for a low-priority request, leaving the answers their share."""
    now = time.monotonic()
    return all(budget.has_room(now, LOW_PRIORITY_RESERVE) for budget in budgets)


async def _acquire_all(budgets: Sequence[Budget], priority: int) -> None:
    """A place in every budget, in order; on cancellation the places taken are given back."""
    taken: list[Budget] = []
    try:
        for budget in budgets:
            await budget.acquire(priority)
            taken.append(budget)
    except BaseException:
        for budget in taken:
            budget.done(answered=False)
        raise


def _chat_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # None, or a channel @username: not ours to pace


def _seconds(exc: RetryAfter) -> float:
    delay = exc._retry_after  # the timedelta behind the deprecated int property
    return float(delay.total_seconds())
