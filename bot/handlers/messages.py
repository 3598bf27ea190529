"""Messages for the model: private texts, and group texts addressed to the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.access import ensure_allowed
from bot.handlers.addressing import chat_key, is_private, reply_channel, text_for_model
from bot.services import Services

logger = logging.getLogger(__name__)


class MessageHandlers:
    def __init__(self, services: Services) -> None:
        self._services = services

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Queue the message for the model; the engine answers in order and keeps typing alive."""
        message = update.effective_message
        if message is None:
            return
        text = text_for_model(message, context.bot)
        if text is None:
            return
        if not await ensure_allowed(update, self._services.config.allowed_users):
            return
        key = chat_key(message)
        logger.info("Message %s accepted in chat %s", message.message_id, key)
        channel = reply_channel(
            context.bot, message, group_streaming=self._services.config.group_streaming == "edit"
        )
        self._services.engine.submit_message(key, text, channel)

    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice…: say politely that only text is understood (private chats)."""
        message = update.effective_message
        if message is None or not is_private(message):
            return
        if not await ensure_allowed(update, self._services.config.allowed_users):
            return
        logger.info("Unsupported message %s in chat %s", message.message_id, message.chat_id)
        await message.reply_text(texts.UNSUPPORTED_MESSAGE)
