"""Pace Telegram requests within its flood limits, final answers first, quiet chats at once.

Why not python-telegram-bot's AIORateLimiter: it treats every request alike. Its group limiter
counts the typing action (every 4 s: 15 of a group's 20 messages a minute), it has no per-chat
limit, and it cannot let an answer overtake a draft, so under load the answers people wait for
queue behind decoration.

The limits (per chat one message a second after a burst of 3; per group 4 in any 5 s and 20 in
any minute; 30 a second overall; typing and drafts a budget of their own) and the evidence for
each, with sources, are in docs/performance.md ("Pacing: the limits and why").

How requests are treated:
- Answers (the default priority: messages, final edits) wait for their budget, each chat's in
  order, and on a 429 honour `retry_after` for that chat and try again.
- Acknowledgements (`rate_limit_args={"priority": "ack"}`: a message's first typing action, or
  its first draft if no typing showed) wait behind answers, as long as their caller does (or
  `ack_patience` seconds, then are skipped). Waiting costs nothing; retrying would cost a
  request build per attempt per chat.
- First words (`{"priority": "words"}`: the first draft of an answer whose chat shows
  "typing…") wait too, behind acknowledgements: under load every waiting chat gets its one
  sign of life before any chat gets a second.
- Low priority (typing refreshes, drafts, interim edits; `{"priority": "low"}` or a low endpoint)
  is sent only if the budget has room now, with a share of it to spare, and nobody waits for it;
  otherwise, or on a 429, it is skipped.
- Skipped requests are reported as sent (python-telegram-bot expects the method's result);
  `was_skipped()` tells the caller the truth.
- Questions about a chat (getChat…, leaveChat) spend only the overall budget: they are not
  messages in it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from contextvars import ContextVar
from typing import Any

from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot

from bot.delivery.flood_budget import (
    ACK,
    ANSWER,
    FIRST_WORDS,
    Bucket,
    Budget,
    Window,
    loop_time,
)
from bot.delivery.shared_budget import SharedBudget, SharedPace

logger = logging.getLogger(__name__)

# Telegram's limits as (messages, seconds), from python-telegram-bot's constants.
TELEGRAM_OVERALL = (int(FloodLimit.MESSAGES_PER_SECOND), 1.0)
TELEGRAM_PER_CHAT = (int(FloodLimit.MESSAGES_PER_SECOND_PER_CHAT), 1.0)
TELEGRAM_PER_GROUP = (int(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP), 60.0)
ACTION_ENDPOINTS = frozenset({"sendChatAction", "sendMessageDraft"})
QUERY_PREFIXES = ("get", "leaveChat")  # about a chat, not a message in it
WAITING_PRIORITIES = {"ack": ACK, "words": FIRST_WORDS}  # rate_limit_args that wait for a place
LOW_PRIORITY_RESERVE = 0.4  # share of a budget typing and drafts leave to answers and acks
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


class TelegramRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        *,
        overall: tuple[int, float] = TELEGRAM_OVERALL,
        per_chat: tuple[int, float] = TELEGRAM_PER_CHAT,
        per_group: tuple[int, float] = TELEGRAM_PER_GROUP,
        chat_burst: int = 3,
        group_burst: int = 4,
        group_span: float = 5.0,
        actions_share_limit: bool = False,
        max_retries: int = 5,
        ack_patience: float | None = None,
        gate: Callable[[], None] | None = None,
        shared: SharedBudget | None = None,
    ) -> None:
        # Asked just before each request goes out: a process whose lease lapsed sends nothing.
        self._gate = gate
        # Several processes send for one bot: a request that won its places in this process's
        # budgets then takes a slot of the bot's (`shared_budget.py`).
        self._shared = shared
        self._overall = Budget(Window(*overall))
        self._actions = self._overall if actions_share_limit else Budget(Window(*overall))
        count, period = per_chat
        self._chat_bucket = (chat_burst, period / count)
        self._group_limits = ((min(group_burst, per_group[0]), group_span), per_group)
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
        send: Send = functools.partial(self._gated, callback, args, kwargs, endpoint, chat_id)
        if chat_id is None:  # setMyCommands, answerCallbackQuery…: not messages
            return await send()
        priority = (rate_limit_args or {}).get("priority")
        budgets = self._budgets(chat_id, endpoint)
        # An album is as many messages as it has items (and waits for as many places).
        weight = max(1, len(data.get("media") or ())) if endpoint == "sendMediaGroup" else 1
        pace = None
        if self._shared is not None and self._shared.active():
            pace = self._shared.pace(endpoint in ACTION_ENDPOINTS)
        if priority in WAITING_PRIORITIES and not self._paused(chat_id):
            rank = WAITING_PRIORITIES[priority]
            return await self._send_soon(_paced(send, pace, 1, rank), budgets, chat_id, rank)
        if priority in ("ack", "words", "low") or endpoint in ACTION_ENDPOINTS:
            return await self._send_if_free(send, budgets, endpoint, chat_id, pace)
        paced = _paced(send, pace, weight, ANSWER)
        return await self._send_when_allowed(paced, budgets, chat_id, weight)

    async def _gated(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        chat_id: int | None,
    ) -> Result:
        if self._gate is not None:
            self._gate()
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            logger.warning(
                "Telegram asked to wait %.1f s (%s, chat %s)", _seconds(exc), endpoint, chat_id
            )
            raise

    def has_room(self, chat_id: int, endpoint: str) -> bool:
        """Whether a low-priority request to this chat would be sent now rather than skipped."""
        return _room_now(self._budgets(chat_id, endpoint))

    def _budgets(self, chat_id: int, endpoint: str) -> list[Budget]:
        """Most specific first, so a chat pacing itself holds no place in the overall budget."""
        if endpoint in ACTION_ENDPOINTS:  # paced by their callers; they heed only a 429
            if self._paused(chat_id):
                return [self._chat(chat_id), self._actions]
            return [self._actions]
        if endpoint.startswith(QUERY_PREFIXES):
            return [self._overall]
        budgets = [self._chat(chat_id)]
        if chat_id < 0:
            budgets.append(self._group(chat_id))
        budgets.append(self._overall)
        return budgets

    def _chat(self, chat_id: int) -> Budget:
        budget = self._chats.get(chat_id)
        if budget is None:
            _forget_idle(self._chats)
            budget = self._chats[chat_id] = Budget(Bucket(*self._chat_bucket))
        return budget

    def _group(self, chat_id: int) -> Budget:
        budget = self._groups.get(chat_id)
        if budget is None:
            _forget_idle(self._groups)
            short, long = self._group_limits
            budget = self._groups[chat_id] = Budget(Window(*short), Window(*long))
        return budget

    def _paused(self, chat_id: int) -> bool:
        budget = self._chats.get(chat_id)
        return budget is not None and budget.paused(loop_time())

    async def _send_when_allowed(
        self, send: Send, budgets: list[Budget], chat_id: int, weight: int = 1
    ) -> Result:
        for attempt in range(self._max_retries + 1):
            await _acquire_all(budgets, ANSWER, weight)
            try:
                return await send()
            except RetryAfter as exc:
                if attempt == self._max_retries:
                    raise
                self._pause(chat_id, exc)
            finally:
                for budget in budgets:
                    budget.done(weight=weight)
        raise AssertionError("unreachable")

    async def _send_soon(
        self, send: Send, budgets: list[Budget], chat_id: int, priority: int
    ) -> Result:
        try:
            async with asyncio.timeout(self._ack_patience):
                await _acquire_all(budgets, priority)
        except TimeoutError:
            return self._skip("acknowledgement", chat_id)
        return await self._send_taken(send, budgets, chat_id)

    async def _send_if_free(
        self,
        send: Send,
        budgets: list[Budget],
        endpoint: str,
        chat_id: int,
        pace: SharedPace | None,
    ) -> Result:
        """Sent only if every budget (the bot's too, with other processes) has room now."""
        if not _room_now(budgets):
            return self._skip(endpoint, chat_id)
        for budget in budgets:
            budget.take()
        free = pace is None
        try:
            if pace is not None:
                free = await pace.free_now()
        finally:
            if not free:  # no slot of the bot's (or cancelled asking): the places go back
                for budget in budgets:
                    budget.done(answered=False)
        if not free:
            return self._skip(endpoint, chat_id)
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
        budget = self._chat(chat_id)
        budget.paused_until = max(budget.paused_until, loop_time() + _seconds(exc))


def _paced(send: Send, pace: SharedPace | None, weight: int, priority: int) -> Send:
    """`send`, after its slots of the bot-wide budget (where other processes may send)."""
    if pace is None:
        return send

    async def paced() -> Result:
        await pace.slot(weight, priority)
        return await send()

    return paced


def _forget_idle(table: dict[int, Budget]) -> None:
    """Forget chats whose budgets are as if new, once there are many of them."""
    if len(table) > 1000:
        now = loop_time()
        for stale in [key for key, budget in table.items() if budget.idle(now)]:
            del table[stale]


def _room_now(budgets: Sequence[Budget]) -> bool:
    """Room in every budget now for a low-priority request, leaving the answers their share."""
    now = loop_time()
    return all(budget.has_room(now, LOW_PRIORITY_RESERVE) for budget in budgets)


async def _acquire_all(budgets: Sequence[Budget], priority: int, weight: int = 1) -> None:
    """A place in every budget, in order; on cancellation the places taken are given back."""
    taken: list[Budget] = []
    try:
        for budget in budgets:
            await budget.acquire(priority, weight)
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
