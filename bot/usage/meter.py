"""Metering turns: reserve what a turn could cost before the model is called, settle what it
did. Budgets stay honest with parallel turns and with answers that report no usage:

- a reservation is an upper bound — the conversation's size at its last answer plus the new
  text, all priced as uncached input, plus the output cap — held in memory (and written with
  the inbox's "running" commit) until its turn settles; checks count it as spent;
- the output cap is lowered to what the tightest budget still affords;
- a settlement uses the reported usage, or (cancelled, failed, a server that reports none) an
  estimate: the input as reserved and the text actually written; it is written in the inbox's
  "answered" commit, so the ledger costs no commit of its own.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.backends import TurnResult
from bot.usage.budgets import (
    SCOPES,
    BudgetHit,
    BudgetKey,
    BudgetRules,
    BudgetWarning,
    Scope,
    affordable_output,
)
from bot.usage.turn_prices import TurnPrices
from bot.usage.windows import PERIODS, Period, local_now, next_reset, window_keys
from storage import (
    InboxEntry,
    LedgerRow,
    LedgerSource,
    TokenUsage,
    Tool,
    ToolCounts,
    TotalsKey,
)
from storage.repositories import Ledger

OUTPUT_RESERVE = 4096  # output tokens a turn may write when MAX_OUTPUT_TOKENS is not set
CONTEXT_CACHE = 10_000  # conversations whose size is remembered between turns


@dataclass(slots=True)
class Reservation:
    row: LedgerRow  # state "reserved", cost the upper bound
    max_output_tokens: int | None  # set when a budget lowered the cap
    spent: dict[BudgetKey, int]  # each limited budget's spend before this turn
    limits: dict[BudgetKey, int]
    keys: tuple[TotalsKey, ...]
    released: bool = False


def text_tokens(text: str) -> int:
    """A generous token estimate: a token is rarely under 3 bytes of UTF-8."""
    return len(text.encode()) // 3 + 1 if text else 0


class CostMeter:
    def __init__(
        self,
        ledger: Ledger,
        prices: TurnPrices,
        rules: BudgetRules,
        *,
        backend: str,
        max_output_tokens: int | None,
        owners: frozenset[int],
        members: Callable[[int], bool],
        clock: Callable[[], float] = time.time,
        context_budget: int | None = None,
    ) -> None:
        self._context_budget = context_budget  # CONTEXT_BUDGET_TOKENS: where compaction starts
        self._ledger = ledger
        self.prices = prices
        self.rules = rules
        self._backend = backend
        self._max_output = max_output_tokens
        self._owners = owners
        self._members = members
        self._clock = clock
        self._reserved: Counter[TotalsKey] = Counter()  # micro-dollars held by running turns
        # Each conversation's size at its last answer; the ledger answers after a restart.
        self._context: dict[tuple[int, int, str], int] = {}
        self._lock = asyncio.Lock()

    def now(self) -> datetime:
        return local_now(self._clock(), self.rules.timezone)

    def guest(self, user_id: int | None, *, private: bool) -> bool:
        """A sender not on ALLOWED_USERS, talking in a group that is allowed."""
        return not private and user_id is not None and not self._members(user_id)

    def limits_for(self, user_id: int | None, *, private: bool) -> dict[BudgetKey, int]:
        """The budgets that apply to this sender in this kind of chat, in micro-dollars."""
        owner = user_id in self._owners
        guest = self.guest(user_id, private=private)
        found: dict[BudgetKey, int] = {}
        for scope in SCOPES:
            limit = self.rules.limit(scope, user_id, guest=guest, owner=owner)
            for period in PERIODS:
                value = limit.of(period) if limit else None
                if value is not None and (scope != "user" or user_id is not None):
                    found[(scope, period)] = value
        return found

    def totals_key(
        self, chat_id: int, user_id: int | None, scope: Scope, period: Period
    ) -> TotalsKey:
        day, month = window_keys(self.now())
        window = f"D{day}" if period == "day" else f"M{month}"
        key = {"total": "", "chat": str(chat_id), "user": str(user_id)}[scope]
        return scope, key, window

    @property
    def reserved_micros(self) -> int:
        """What running turns hold against the bot's total today (for the owner's report)."""
        day, _ = window_keys(self.now())
        return self._reserved[("total", "", f"D{day}")]

    async def reserve(
        self,
        entry: InboxEntry,
        conversation_id: str | None,
        instructions: str,
        *,
        force: bool,
        extra_tokens: int = 0,
        audio_seconds: int = 0,
        tools: tuple[Tool, ...] = (),
    ) -> Reservation | BudgetHit:
        """Hold the turn's upper bound, or say which budget cannot afford it. `force`: a turn
        already running before a restart is metered, never refused (it is being paid for).
        `extra_tokens`: what attachments add; `audio_seconds`: audio still to transcribe;
        `tools`: the hosted tools it may use (a search, a container session, an image each)."""
        now = self.now()
        input_estimate = await self._input_estimate(entry, conversation_id, instructions)
        input_estimate += extra_tokens
        cap = self._max_output or OUTPUT_RESERVE
        chat_id, user_id = entry.key.chat_id, entry.user_id
        limits = self.limits_for(user_id, private=entry.private)
        scopes = [(s, p) for s in SCOPES for p in PERIODS if s != "user" or user_id]
        keys = tuple(self.totals_key(chat_id, user_id, s, p) for s, p in scopes)
        lowered: int | None = None
        async with self._lock:
            spent: dict[BudgetKey, int] = {}
            if limits:
                wanted = {sp: self.totals_key(chat_id, user_id, *sp) for sp in limits}
                totals = await self._ledger.totals(wanted.values())
                spent = {sp: totals[k].micros + self._reserved[k] for sp, k in wanted.items()}
            in_cost = self.prices.before_writing(input_estimate, audio_seconds, tools)
            out_rate = self.prices.per_output_token(input_estimate)
            if not force:
                allowed = affordable_output(
                    limits, spent, in_cost=in_cost, out_rate=out_rate, cap=cap
                )
                if isinstance(allowed, tuple):  # this budget cannot afford the turn
                    scope, period = allowed
                    return BudgetHit(scope, period, limits[allowed], next_reset(period, now))
                if allowed < cap:
                    cap = lowered = allowed
            cost = math.ceil(in_cost + cap * out_rate)
            for k in keys:
                self._reserved[k] += cost
        usage = TokenUsage(input_estimate, cap)
        row = self._reserved_row(entry, conversation_id, usage, cost, now=now)
        return Reservation(row, lowered, spent, limits, keys)

    def _reserved_row(
        self,
        entry: InboxEntry,
        conversation_id: str | None,
        usage: TokenUsage,
        cost: int,
        *,
        now: datetime,
    ) -> LedgerRow:
        """The turn's ledger row while it runs: its upper bound, in the windows of `now` (the
        moment the budgets were checked)."""
        day, month = window_keys(now)
        return LedgerRow(
            chat_id=entry.key.chat_id,
            message_id=entry.message_id,
            topic_id=entry.key.topic_id,
            user_id=entry.user_id,
            guest=self.guest(entry.user_id, private=entry.private),
            conversation_id=conversation_id,
            backend=self._backend,
            model=self.prices.model,
            remote_id=None,
            state="reserved",
            source="reserved",
            usage=usage,
            cost_micros=cost,
            priced=self.prices.of() is not None,
            price_ref=self.prices.table.ref,
            day=day,
            month=month,
        )

    async def _input_estimate(
        self, entry: InboxEntry, conversation_id: str | None, instructions: str
    ) -> int:
        """The turn's input tokens, at most: the conversation as the ledger last saw it (or the
        instructions, for a new one) and the message."""
        context = None
        if conversation_id is not None:
            key = entry.key
            context = self._context.get((key.chat_id, key.topic_id, conversation_id))
            if context is None:
                context = await self._ledger.conversation_tokens(
                    key.chat_id,
                    key.topic_id,
                    conversation_id,
                    compacted_below=self._context_budget or 0,
                )
        return (context or text_tokens(instructions)) + text_tokens(entry.text)

    def settle(
        self,
        reservation: Reservation,
        result: TurnResult | None,
        *,
        written: str,
        started: bool,
        conversation_id: str | None,
        audio_seconds: int = 0,
    ) -> LedgerRow:
        """The row as it settles: reported figures, or an estimate where the API gave none."""
        row = reservation.row
        usage = result.usage if result is not None else None
        model = (result.model if result is not None else None) or self.prices.model
        source: LedgerSource = "reported"
        if usage is None:
            source = "estimated"
            # A turn the server never started cost nothing; one that ran, at least its input.
            usage = TokenUsage(row.usage.input_tokens if started else 0, text_tokens(written))
        used = (result.tools_used if result is not None else None) or ToolCounts()
        tools = replace(used, audio_seconds=audio_seconds)
        conversation = conversation_id or row.conversation_id
        if conversation is not None:
            if len(self._context) >= CONTEXT_CACHE:  # old conversations: the ledger has them
                self._context.clear()
            size = usage.input_tokens + usage.output_tokens
            if used.compactions and self._context_budget:
                # The usage counts the pass that read the whole conversation; what is left of it
                # is below the budget (that is when it was compacted).
                size = min(size, self._context_budget)
            self._context[(row.chat_id, row.topic_id, conversation)] = size
        return replace(
            row,
            conversation_id=conversation,
            model=model,
            remote_id=(result.response_id if result is not None else None) or row.remote_id,
            state="settled",
            source=source,
            usage=usage,
            cost_micros=self.prices.turn(
                model, usage, tools, result.image_tokens if result else None
            ),
            priced=self.prices.of(model) is not None,
            tools=tools,
        )

    def release(self, reservation: Reservation) -> None:
        """The turn settled (or never ran): its upper bound no longer counts."""
        if reservation.released:
            return
        reservation.released = True
        for k in reservation.keys:
            self._reserved[k] -= reservation.row.cost_micros
            if self._reserved[k] <= 0:
                del self._reserved[k]

    def warnings(self, reservation: Reservation, settled: LedgerRow) -> list[BudgetWarning]:
        """Budgets this answer carried past BUDGET_WARN_AT percent (each once per window)."""
        found = []
        for (scope, period), limit in reservation.limits.items():
            before = reservation.spent[(scope, period)]
            after = before + settled.cost_micros
            threshold = limit * self.rules.warn_at / 100
            if before < threshold <= after:
                found.append(BudgetWarning(scope, period, after, limit))
        return found
