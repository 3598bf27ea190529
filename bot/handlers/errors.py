"""The last line of defence: log what no handler caught, tell the owner, apologise to the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.config import Config
from bot.handlers.speaking import Speaker
from bot.logging_setup import redact
from bot.texts import ENGLISH, render

logger = logging.getLogger(__name__)

REPORT_LIMIT = 500  # characters of the error message in the owner's report


class ErrorHandler:
    """Logs with the update's ids; reports to ERROR_CHAT_ID; users never see a traceback."""

    def __init__(self, config: Config, speaker: Speaker) -> None:
        self._error_chat_id = config.error_chat_id
        self._secrets = config.secrets
        self._speaker = speaker

    async def __call__(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error(
            "Unhandled error while handling update %s (chat %s)",
            update_id,
            chat.id if chat else None,
            exc_info=context.error,
        )
        if self._error_chat_id is not None:
            await self._report(context, self._error_chat_id, update_id, chat.id if chat else None)
        if isinstance(update, Update) and update.effective_message is not None:
            try:
                texts = await self._speaker.texts(update)
                await update.effective_message.reply_text(
                    texts.internal_error, parse_mode=ParseMode.HTML
                )
            except Exception:
                logger.warning("Could not tell chat %s about the error", chat.id if chat else None)

    async def _report(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        report_to: int,
        update_id: int | None,
        chat_id: int | None,
    ) -> None:
        """One line for the owner: what failed and where, secrets removed, no traceback."""
        error = context.error
        detail = redact(f"{type(error).__name__}: {error}", self._secrets)[:REPORT_LIMIT]
        report = render(
            ENGLISH.error_report,  # for the owner: always English
            update_id=update_id,
            chat_id=chat_id,
            detail=detail,
        )
        try:
            await context.bot.send_message(report_to, report, parse_mode=ParseMode.HTML)
        except Exception:
            logger.warning("Could not send the error report to %s", report_to)
