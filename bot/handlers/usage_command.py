"""/usage: your spending (or your group's) against the budgets; `/usage all` for owners."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.handlers.access import AccessControl
from bot.handlers.addressing import chat_key
from bot.handlers.speaking import Speaker
from bot.handlers.update_context import UpdateContexts
from bot.usage.notices import usage_summary
from bot.usage.reports import UsageReports

logger = logging.getLogger(__name__)


class UsageHandlers:
    def __init__(
        self,
        reports: UsageReports,
        access: AccessControl,
        speaker: Speaker,
        contexts: UpdateContexts,
    ) -> None:
        self._reports = reports
        self._access = access
        self._speaker = speaker
        self._contexts = contexts

    async def usage(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not await self._access.may_talk(update, context.bot):
            return
        private = message.chat.type == ChatType.PRIVATE
        if context.args and context.args[0].lower() == "all":
            if private and self._access.is_owner(user.id):
                report = html.escape(await self._reports.owner_report(), quote=False)
                await self._contexts.reply(message, report)
            else:
                texts = await self._speaker.texts(update)
                await self._contexts.reply(message, texts.usage_owners_only)
            return
        summary = await self._reports.summary(chat_key(message), user.id, private=private)
        texts = await self._speaker.texts(update)
        await self._contexts.reply(message, usage_summary(summary, texts))
