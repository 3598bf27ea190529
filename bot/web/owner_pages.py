"""The owners' pages: the bot's spend, who may talk to it (and who asked), its status.

Who may talk is ALLOWED_USERS and ADMIN_USERS — the floor, shown but never changed here — and on
top of it the people an owner let in from this page (kept in the database, read by every
process at each stranger's message). Letting someone in tells them so in Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.logging_setup import LogTail
from bot.usage.notices import money
from bot.usage.reports import UsageReports
from bot.web import pages
from bot.web.charts import Bar, share_chart
from bot.web.words import EN  # the owners' pages are in English, as every operator report
from storage.personal_data import People

logger = logging.getLogger(__name__)

CHART_DAYS = 30


@dataclass(frozen=True, slots=True)
class Floor:
    """Who the environment lets in (ALLOWED_USERS: everyone, or these ids; ADMIN_USERS)."""

    everyone: bool
    allowed: frozenset[int]
    owners: frozenset[int]


class OwnerPages:
    def __init__(
        self,
        usage: UsageReports,
        people: People,
        let_in: Callable[[int, bool], Awaitable[None]],
        floor: Floor,
        welcome: Callable[[int], Awaitable[None]],
        status: Callable[[], Awaitable[str]],
        log_tail: LogTail,
    ) -> None:
        self._usage = usage
        self._people = people
        self._let_in = let_in  # kept in the database, and counted by the budgets at once
        self._floor = floor
        self._welcome = welcome  # tells someone let in that they may talk now
        self._status = status
        self._log_tail = log_tail

    async def usage(self) -> str:
        usage = self._usage
        today, this_month = await usage.bot_totals()
        day_limit, month_limit = usage.bot_limits
        lines = [
            pages.spend_line("Today", today, day_limit, EN),
            pages.spend_line("This month", this_month, month_limit, EN),
        ]
        totals = await usage.by_day("total", "", CHART_DAYS)
        models = await usage.top("model")
        tables = []
        if models:
            title = "Spend by model, this month"
            bars = [Bar(model, t.micros, money(t.micros)) for model, t in models]
            tables.append(pages.figure(share_chart(bars, title), title))
        rows = [(model, money(t.micros), str(t.answers)) for model, t in models]
        tables.append(pages.table("By model, this month", ("", "spent", "answers"), rows))
        for scope, title in (("user", "Top people"), ("chat", "Top chats")):
            top = await usage.top(scope)
            budget_rows = [
                (who, money(t.micros), str(t.answers), self._of_budget(scope, who, t.micros))
                for who, t in top
            ]
            header = ("", "spent", "answers", "of the month's budget")
            tables.append(pages.table(f"{title}, this month", header, budget_rows))
        chart = pages.daily_chart(totals, f"The bot's spend, last {CHART_DAYS} days", EN)
        return pages.usage(lines, chart) + "".join(tables)

    def _of_budget(self, scope: str, who: str, micros: int) -> str:
        """How close a person or a chat is to its monthly budget ("" where none applies)."""
        if not who.lstrip("-").isdigit():
            return ""
        key = int(who)
        if scope == "user":
            limit = self._usage.limits(key, private=True).get(("user", "month"))
        else:
            limit = self._usage.limits(None, private=key > 0).get(("chat", "month"))
        if not limit:
            return ""
        return f"{round(100 * micros / limit)} % of {money(limit)}"

    async def people(self) -> str:
        floor = self._floor
        listed = await self._people.listing()
        return pages.people(
            everyone=floor.everyone,
            by_environment=sorted(floor.allowed | floor.owners),
            let_in=[p for p in listed if p.allowed and p.user_id not in floor.allowed],
            asked=[p for p in listed if not p.allowed],
            open_to_all=floor.everyone,
        )

    async def set_allowed(self, owner: int, user_id: int, allowed: bool) -> str:
        """Let someone in (and tell them), or take them off; what to say to the owner."""
        if user_id in self._floor.owners or user_id in self._floor.allowed:
            return "They are let in by ALLOWED_USERS or ADMIN_USERS: change it there."
        await self._let_in(user_id, allowed)
        logger.info(
            "Owner %s %s user %s from the web pages", owner, "let in" if allowed else "removed",
            user_id,
        )  # fmt: skip
        if not allowed:
            return f"{user_id} may no longer talk to the bot."
        await self._welcome(user_id)
        return f"{user_id} may talk to the bot now; they were told in Telegram."

    async def status(self) -> str:
        return pages.status(await self._status(), self._log_tail.last(60))
