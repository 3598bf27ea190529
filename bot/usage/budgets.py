"""Budget rules from the owner's settings: how much, for whom, per day and/or month.

Values are US dollars with a period, e.g. `0.50/day`, `5/month` or `0.50/day,5/month`;
BUDGET_USERS names people: `123=10/month,456=1/day,0.20/day` (a bare value after a person
continues that person's list). Held as micro-dollars.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeAlias

from bot.usage.windows import Period

Scope: TypeAlias = Literal["total", "chat", "user"]
SCOPES: tuple[Scope, ...] = ("total", "chat", "user")
_VALUE = re.compile(r"^\s*\$?\s*(\d+(?:\.\d+)?)\s*/\s*(day|month)\s*$")


@dataclass(frozen=True, slots=True)
class Limit:
    """A budget: micro-dollars a day and/or a month (None: no limit for that period)."""

    day: int | None = None
    month: int | None = None

    def of(self, period: Period) -> int | None:
        return self.day if period == "day" else self.month


def parse_limit(text: str) -> Limit:
    """`0.50/day,5/month` → Limit; ValueError says what is wrong, in the owner's terms."""
    values: dict[str, int] = {}
    for part in text.split(","):
        period, micros = _value(part)
        if period in values:
            raise ValueError(f"{part.strip()!r} repeats the {period} budget")
        values[period] = micros
    return Limit(day=values.get("day"), month=values.get("month"))


def parse_user_limits(text: str) -> dict[int, Limit]:
    """`123=10/month,456=1/day,0.20/day` → {123: …, 456: …} (456 has both)."""
    limits: dict[int, list[str]] = {}
    current: int | None = None
    for part in (p for p in text.split(",") if p.strip()):
        if "=" in part:
            user, _, value = part.partition("=")
            if not user.strip().lstrip("-").isdigit():
                raise ValueError(f"{user.strip()!r} is not a Telegram user id")
            current = int(user)
            limits.setdefault(current, []).append(value)
        elif current is None:
            raise ValueError(f"{part.strip()!r} does not say whose budget it is (id=value)")
        else:
            limits[current].append(part)
    return {user: parse_limit(",".join(values)) for user, values in limits.items()}


def _value(part: str) -> tuple[str, int]:
    match = _VALUE.match(part)
    if match is None:
        raise ValueError(f"{part.strip()!r} is not an amount per day or month (e.g. 0.50/day)")
    try:
        micros = int(Decimal(match.group(1)) * 1_000_000)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits numbers only
        raise ValueError(f"{part.strip()!r} is not an amount") from exc
    return match.group(2), micros


@dataclass(frozen=True, slots=True)
class BudgetRules:
    """All budgets are optional; none set means the bot only keeps the ledger."""

    total: Limit | None = None  # the whole bot, owners included
    per_chat: Limit | None = None  # a group (all its topics) or a private chat
    per_user: Limit | None = None  # each sender, anywhere
    per_guest: Limit | None = None  # senders not in ALLOWED_USERS, in an allowed group
    users: Mapping[int, Limit] = field(default_factory=dict)  # overrides by id
    timezone: tzinfo = UTC
    warn_at: int = 80  # percent: a note when a budget passes it

    @property
    def any(self) -> bool:
        return any((self.total, self.per_chat, self.per_user, self.per_guest, self.users))

    def limit(self, scope: Scope, user_id: int | None, *, guest: bool, owner: bool) -> Limit | None:
        """The budget of `scope` for this sender. Owners skip per-chat and per-user budgets
        (they pay the bill), not the bot's total."""
        if scope == "total":
            return self.total
        if owner:
            return None
        if scope == "chat":
            return self.per_chat
        if user_id is not None and user_id in self.users:
            return self.users[user_id]
        if guest:
            return self.per_guest or self.per_user
        return self.per_user


@dataclass(frozen=True, slots=True)
class BudgetHit:
    """The message cannot be afforded: which budget stopped it, and when it resets."""

    scope: Scope
    period: Period
    limit_micros: int
    resets_at: datetime


@dataclass(frozen=True, slots=True)
class BudgetWarning:
    """A budget passed the owner's warning threshold with this answer."""

    scope: Scope
    period: Period
    spent_micros: int
    limit_micros: int


OUTPUT_FLOOR = 256  # a budget that affords fewer output tokens than this is used up
BudgetKey: TypeAlias = tuple["Scope", Period]


def affordable_output(
    limits: Mapping[BudgetKey, int],
    spent: Mapping[BudgetKey, int],
    *,
    in_cost: float,
    out_rate: float,
    cap: int,
) -> BudgetKey | int:
    """The budget check, in micro-dollars: the budget that cannot afford the turn (the one with
    least left), or the output tokens the turn may write — `cap`, or fewer where the budget
    left lowers it. A budget that affords fewer than OUTPUT_FLOOR tokens is used up."""
    if not limits:
        return cap
    budget = min(limits, key=lambda key: limits[key] - spent[key])
    left = limits[budget] - spent[budget] - in_cost
    affordable = left / out_rate if out_rate else math.inf
    if left <= 0 or affordable < OUTPUT_FLOOR:
        return budget
    return int(affordable) if affordable < cap else cap
