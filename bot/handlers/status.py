"""/status for the bot's owners (ADMIN_USERS): how the bot is doing, in a private chat."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.handlers.access import AccessControl
from bot.handlers.update_context import UpdateContexts

logger = logging.getLogger(__name__)


class StatusHandlers:
    def __init__(
        self,
        access: AccessControl,
        report: Callable[[], Awaitable[str]],
        unknown: Callable[[Update, Any], Awaitable[None]],
        contexts: UpdateContexts,
    ) -> None:
        self._contexts = contexts
        self._access = access
        self._report = report
        self._unknown = unknown  # what anyone else gets, as for any command we do not have

    async def status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Owners get the report; anyone else is treated like any unknown command."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.chat.type != ChatType.PRIVATE:
            return
        if not self._access.is_owner(user.id):
            logger.info("Refused /status to %s (not in ADMIN_USERS)", user.id)
            await self._unknown(update, context)
            return
        report = html.escape(await self._report(), quote=False)  # plain text, shown as such
        await self._contexts.reply(message, report)
