"""/usage: what a person (or a group) spent today and this month, against their budgets; and
for owners, the bot's whole picture. Read from the ledger's running totals: a few rows each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.usage.budgets import Scope
from bot.usage.meter import CostMeter
from bot.usage.notices import money
from bot.usage.prices import PriceTable
from bot.usage.savings import saved_input_tokens
from bot.usage.windows import PERIODS, Period, window_keys
from storage import ChatKey, ToolCounts, Totals
from storage.repositories import Chats, Ledger

TOP = 5


@dataclass(frozen=True, slots=True)
class Spending:
    """One scope's day and month, each with its limit (None: no budget)."""

    day: Totals
    month: Totals
    day_limit: int | None
    month_limit: int | None

    def of(self, period: Period) -> tuple[Totals, int | None]:
        return (self.day, self.day_limit) if period == "day" else (self.month, self.month_limit)


@dataclass(frozen=True, slots=True)
class UsageSummary:
    scope: Scope  # "user" in private chats, "chat" in groups
    spending: Spending
    yours: Spending | None  # in a group: the asker's own share
    conversation_tokens: int | None  # how much each message re-reads
    tools: ToolCounts | None = None  # the asker's tools this month (searches, code, images)
    context_budget: int | None = None  # the size past which the conversation is compacted


class UsageReports:
    def __init__(
        self,
        chats: Chats,
        ledger: Ledger,
        meter: CostMeter,
        prices: PriceTable,
        context_budget: int | None = None,
    ) -> None:
        self._chats = chats
        self._ledger = ledger
        self._meter = meter
        self._prices = prices
        self._context_budget = context_budget

    async def summary(self, key: ChatKey, user_id: int | None, *, private: bool) -> UsageSummary:
        limits = self._meter.limits_for(user_id, private=private)
        chat_id = key.chat_id

        def keys(scope: Scope) -> dict[Period, tuple[str, str, str]]:
            return {p: self._meter.totals_key(chat_id, user_id, scope, p) for p in PERIODS}

        mine, chats = keys("user"), keys("chat")
        totals = await self._ledger.totals([*mine.values(), *chats.values()])

        def spending(scope: Scope, wanted: dict[Period, tuple[str, str, str]]) -> Spending:
            return Spending(
                totals[wanted["day"]],
                totals[wanted["month"]],
                limits.get((scope, "day")),
                limits.get((scope, "month")),
            )

        tokens = None
        record = await self._chats.get(key)
        if record is not None and record.conversation_id is not None:
            tokens = await self._ledger.conversation_tokens(
                chat_id,
                key.topic_id,
                record.conversation_id,
                compacted_below=self._context_budget or 0,
            )
        user = spending("user", mine) if user_id is not None else None
        tools = totals[mine["month"]].tools if user_id is not None else None
        budget = self._context_budget
        if private:
            assert user is not None
            return UsageSummary("user", user, None, tokens, tools, budget)
        return UsageSummary("chat", spending("chat", chats), user, tokens, tools, budget)

    def windows(self) -> tuple[str, str]:
        """Today's and this month's totals windows (e.g. "D2026-12-06", "M2026-12")."""
        day, month = window_keys(self._meter.now())
        return f"D{day}", f"M{month}"

    async def by_day(self, scope: Scope, key: str, days: int) -> list[tuple[str, Totals]]:
        """The last `days` days' totals of one scope ("user", "42"), oldest first (the web
        pages' charts): one read."""
        today = self._meter.now().date()
        dates = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
        wanted = [(scope, key, f"D{d}") for d in dates]
        totals = await self._ledger.totals(wanted)
        return [(d, totals[k]) for d, k in zip(dates, wanted, strict=True)]

    async def top(self, scope: str, limit: int = TOP) -> list[tuple[str, Totals]]:
        """This month's biggest spenders of a scope ("user", "chat", "model")."""
        return await self._ledger.top(scope, self.windows()[1], limit)

    def limits(self, user_id: int | None, *, private: bool) -> dict[tuple[Scope, Period], int]:
        """The budgets that apply to this person, in micro-dollars."""
        return self._meter.limits_for(user_id, private=private)

    async def bot_totals(self) -> tuple[Totals, Totals]:
        """The bot's spend today and this month."""
        day, month = self.windows()
        found = await self._ledger.totals([("total", "", day), ("total", "", month)])
        return found[("total", "", day)], found[("total", "", month)]

    @property
    def bot_limits(self) -> tuple[int | None, int | None]:
        """The bot's own day and month budgets (BUDGET_TOTAL_*), if any."""
        total = self._meter.rules.total
        return (total.day, total.month) if total else (None, None)

    async def owner_report(self) -> str:
        """`/usage all`: plain English, like every operator report."""
        day, month = window_keys(self._meter.now())
        total = self._meter.rules.total
        totals = await self._ledger.totals([("total", "", f"D{day}"), ("total", "", f"M{month}")])
        today, this_month = totals[("total", "", f"D{day}")], totals[("total", "", f"M{month}")]
        lines = [
            f"Usage, {month} ({self._meter.rules.timezone}; prices: {self._prices.ref})",
            f"today: {money(today.micros)}{_of(total.day if total else None)}"
            f" · {today.answers} answers",
            f"this month: {money(this_month.micros)}{_of(total.month if total else None)}"
            f" · {this_month.answers} answers",
        ]
        used = this_month.tools
        if any((used.images, used.containers, used.web_searches, used.audio_seconds,
                used.file_searches)):  # fmt: skip
            lines.append(
                f"tools this month: images {used.images:,} · code sessions {used.containers:,}"
                f" · web searches {used.web_searches:,}"
                f" · document searches {used.file_searches:,}"
                f" · audio transcribed {used.audio_seconds / 60:,.1f} min"
            )
        if this_month.micros:
            share = round(100 * this_month.estimated_micros / this_month.micros)
            lines.append(f"estimated (no usage reported): {share} % of the month's spend")
        if held := self._meter.reserved_micros:
            lines.append(f"held by answers being written: {money(held)}")
        lines.append("by model this month:")
        models = await self._ledger.top("model", f"M{month}", TOP)
        for model, t in models:
            usage = t.usage
            lines.append(
                f"  {model}: {money(t.micros)} · {usage.input_tokens:,} in"
                f" ({round(100 * _cached_share(t))} % cached),"
                f" {usage.output_tokens:,} out ({usage.reasoning_tokens:,} reasoning)"
            )
        if used.compactions:
            lines.append(await self._compaction_line(month, used.compactions, dict(models)))
        for scope, title in (("user", "top users"), ("chat", "top chats")):
            lines.append(f"{title} this month:")
            for who, t in await self._ledger.top(scope, f"M{month}", TOP):
                lines.append(f"  {who}: {money(t.micros)} · {t.answers} answers")
        return "\n".join(lines)

    async def _compaction_line(self, month: str, passes: int, models: dict[str, Totals]) -> str:
        """How often long chats were compacted, and what that spared (an estimate: the tokens
        later answers did not re-read, at each model's input price and cached share)."""
        saved = saved_input_tokens(await self._ledger.turns_by_conversation(month))
        micros = 0.0
        for model, tokens in saved.items():
            price = self._prices.lookup(model)
            if price is None:
                continue
            share = _cached_share(models[model]) if model in models else 0.0
            per_token = share * price.cached_input + (1 - share) * price.input
            micros += tokens * per_token
        return (
            f"long chats this month: {passes:,} compactions, about {sum(saved.values()):,}"
            f" input tokens not re-read (~{money(round(micros))} saved, estimated)"
        )


def _cached_share(totals: Totals) -> float:
    usage = totals.usage
    return usage.cached_tokens / usage.input_tokens if usage.input_tokens else 0.0


def _of(limit: int | None) -> str:
    return f" of {money(limit)}" if limit is not None else ""
