"""The last line of defence: log what no handler caught, tell the owner, apologise to the user."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update
from telegram.error import Conflict, NetworkError
from telegram.ext import ContextTypes

from bot.config import Config
from bot.delivery.telegram_link import TelegramLink
from bot.handlers.update_context import UpdateContexts
from bot.logging_setup import redact
from bot.texts import ENGLISH, Texts, render
from storage import StorageUnavailable

logger = logging.getLogger(__name__)

REPORT_LIMIT = 500  # characters of the error message in the owner's report


class ErrorHandler:
    """Logs with the update's ids; reports to ERROR_CHAT_ID; users never see a traceback."""

    def __init__(self, config: Config, link: TelegramLink, contexts: UpdateContexts) -> None:
        self._contexts = contexts
        self._error_chat_id = config.error_chat_id
        self._secrets = config.secrets
        self._link = link

    async def __call__(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update is None and self._polling_error(context.error):
            return
        chat = update.effective_chat if isinstance(update, Update) else None
        update_id = update.update_id if isinstance(update, Update) else None
        if isinstance(context.error, StorageUnavailable):  # a condition, not a bug: no traceback
            logger.error(
                "Update %s (chat %s): %s", update_id, chat.id if chat else None, context.error
            )
            await self._apologise(update, lambda texts: texts.storage_unavailable)
            return
        logger.error(
            "Unhandled error while handling update %s (chat %s)",
            update_id,
            chat.id if chat else None,
            exc_info=context.error,
        )
        if self._error_chat_id is not None:
            await self._report(
                context.error, self._error_chat_id, update_id, chat.id if chat else None
            )
        await self._apologise(update, lambda texts: texts.internal_error)

    async def _apologise(self, update: object, sentence: Callable[[Texts], str]) -> None:
        """Tell the user their message was not handled (if it came from a chat)."""
        if not isinstance(update, Update) or update.effective_message is None:
            return
        chat = update.effective_chat
        try:
            texts = await self._contexts.texts(update)  # falls back if storage fails
            await self._contexts.reply(update.effective_message, sentence(texts))
        except Exception:
            logger.warning("Could not tell chat %s about the error", chat.id if chat else None)

    def _polling_error(self, error: Exception | None) -> bool:
        """Polling errors that are conditions, not bugs: a line each, no traceback, no report."""
        if isinstance(error, NetworkError):  # PTB polls again by itself, backing off
            self._link.polling_failed(error)
            return True
        if isinstance(error, Conflict):
            logger.error(
                "Another process is polling with this TELEGRAM_BOT_TOKEN (409 Conflict): "
                "stop it, or both bots will miss and repeat messages"
            )
            return True
        return False

    async def _report(
        self, error: Exception | None, report_to: int, update_id: int | None, chat_id: int | None
    ) -> None:
        """One line for the owner: what failed and where, secrets removed, no traceback; sent
        like every message (waiting out an outage, plain text if the HTML is refused)."""
        detail = redact(f"{type(error).__name__}: {error}", self._secrets)[:REPORT_LIMIT]
        report = render(
            ENGLISH.error_report,  # for the owner: always English
            update_id=update_id,
            chat_id=chat_id,
            detail=detail,
        )
        try:
            await self._contexts.send(report_to, report)
        except Exception:
            logger.warning("Could not send the error report to %s", report_to)
