"""Messages for the model: private texts, and group messages addressed to the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.access import AccessControl
from bot.handlers.addressing import (
    addressed_text,
    chat_key,
    is_private,
    reply_channel,
    text_for_model,
)
from bot.services import Services
from storage import StorageUnavailable

logger = logging.getLogger(__name__)


class MessageHandlers:
    def __init__(self, services: Services, access: AccessControl) -> None:
        self._services = services
        self._access = access

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Queue the message for the model; the engine answers in order and keeps typing alive."""
        message = update.effective_message
        if message is None:
            return
        config = self._services.config
        text = addressed_text(message, context.bot, config.group_trigger)
        if text is None:
            await self._maybe_add_context(update, context)
            return
        if not await self._access.may_talk(update, context.bot):
            return
        if not text.strip() and not message.reply_to_message and not message.effective_attachment:
            await message.reply_text(texts.EMPTY_MESSAGE)  # e.g. a bare "@bot"
            return
        key = chat_key(message)
        channel = reply_channel(
            context.bot,
            message,
            group_streaming=config.group_streaming == "edit",
            events=self._services.engine,
        )
        model_text = text_for_model(message, text, context.bot)
        try:
            accepted = await self._services.engine.accept_message(
                key,
                model_text,
                channel,
                message_id=message.message_id,
                private=is_private(message),
            )
        except StorageUnavailable as exc:
            logger.error("Message %s in chat %s not accepted: %s", message.message_id, key, exc)
            await message.reply_text(texts.STORAGE_UNAVAILABLE)
            return
        if accepted:
            logger.info("Message %s accepted in chat %s", message.message_id, key)

    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, voice, polls…: say politely that only text is understood (private chats)."""
        message = update.effective_message
        if message is None or not is_private(message):
            return
        if not await self._access.may_talk(update, context.bot):
            return
        logger.info("Unsupported message %s in chat %s", message.message_id, message.chat_id)
        await message.reply_text(texts.UNSUPPORTED_MESSAGE)

    async def _maybe_add_context(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """GROUP_CONTEXT=all: what the group says goes into its conversation, unanswered."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if (
            message is None
            or chat is None
            or self._services.config.group_context != "all"
            or not (message.text or message.caption)
            or not await self._access.group_allowed(chat.id, user.id if user else None)
        ):
            return
        text = message.text or message.caption or ""
        model_text = text_for_model(message, text, context.bot)
        self._services.engine.add_context(chat_key(message), model_text)
