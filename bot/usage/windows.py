"""Budget windows: calendar days and months in BUDGET_TIMEZONE, like OpenAI's monthly limit."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from typing import Literal, TypeAlias

Period: TypeAlias = Literal["day", "month"]
PERIODS: tuple[Period, ...] = ("day", "month")


def window_keys(now: datetime) -> tuple[str, str]:
    """The ledger's keys for the day and the month `now` (in the budget's zone) falls in."""
    return now.date().isoformat(), now.strftime("%Y-%m")


def local_now(timestamp: float, zone: tzinfo) -> datetime:
    return datetime.fromtimestamp(timestamp, zone)


def next_reset(period: Period, now: datetime) -> datetime:
    """When the window `now` is in ends: the next midnight, or the first of next month."""
    midnight = datetime.combine(now.date(), time(), now.tzinfo)
    if period == "day":
        return datetime.combine((midnight + timedelta(days=1)).date(), time(), now.tzinfo)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=now.tzinfo)
