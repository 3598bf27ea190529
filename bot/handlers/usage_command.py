"""/usage: your spending (or your group's) against the budgets; `/usage all` for owners."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.handlers.access import AccessControl
from bot.handlers.update_context import UpdateContexts
from bot.usage.notices import usage_summary
from bot.usage.reports import UsageReports

logger = logging.getLogger(__name__)


class UsageHandlers:
    def __init__(
        self,
        reports: UsageReports,
        access: AccessControl,
        contexts: UpdateContexts,
    ) -> None:
        self._reports = reports
        self._access = access
        self._contexts = contexts

    async def usage(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """What the asker (and in a group, the group) spent; `/usage all` for owners."""
        user = update.effective_user
        if user is None or not await self._access.may_talk(update, context.bot):
            return
        here = await self._contexts.of(update)
        if here is None:
            return
        if context.args and context.args[0].lower() == "all":
            if here.private and self._access.is_owner(user.id):
                await here.reply(html.escape(await self._reports.owner_report(), quote=False))
            else:
                await here.reply(here.texts.usage_owners_only)
            return
        summary = await self._reports.summary(here.key, user.id, private=here.private)
        await here.reply(usage_summary(summary, here.texts))
