"""The last line of defence: log what no handler caught, and apologise without details."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the exception with the update's ids; never show a traceback to users."""
    chat = update.effective_chat if isinstance(update, Update) else None
    logger.error(
        "Unhandled error while handling update %s (chat %s)",
        update.update_id if isinstance(update, Update) else None,
        chat.id if chat else None,
        exc_info=context.error,
    )
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(texts.INTERNAL_ERROR)
        except Exception:
            logger.warning("Could not tell chat %s about the error", chat.id if chat else None)
