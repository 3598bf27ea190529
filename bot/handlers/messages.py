"""Messages for the model: private texts, and group messages addressed to the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.delivery.channel import ChannelFactory
from bot.engine import ChatEngine
from bot.handlers.access import AccessControl
from bot.handlers.addressing import addressed_text, chat_key, is_private, text_for_model
from bot.handlers.speaking import Speaker
from storage import StorageUnavailable

logger = logging.getLogger(__name__)


class MessageHandlers:
    def __init__(
        self,
        engine: ChatEngine,
        access: AccessControl,
        channels: ChannelFactory,
        speaker: Speaker,
        *,
        trigger: str | None,
        adds_group_context: bool,
    ) -> None:
        self._engine = engine
        self._access = access
        self._channels = channels
        self._speaker = speaker
        self._trigger = trigger
        self._adds_group_context = adds_group_context

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Queue the message for the model; the engine answers in order and keeps typing alive."""
        message = update.effective_message
        if message is None:
            return
        text = addressed_text(message, context.bot, self._trigger)
        if text is None:
            await self._maybe_add_context(update, context)
            return
        if not await self._access.may_talk(update, context.bot):
            return
        if not text.strip() and not message.reply_to_message and not message.effective_attachment:
            texts = await self._speaker.texts(update)
            await message.reply_text(texts.empty_message, parse_mode=ParseMode.HTML)  # "@bot"
            return
        language = await self._speaker.language(update)
        key = chat_key(message)
        channel = self._channels.for_message(message)
        model_text = text_for_model(message, text, context.bot)
        try:
            accepted = await self._engine.accept_message(
                key,
                model_text,
                channel,
                message_id=message.message_id,
                private=is_private(message),
                language=language,
                # Who pays: the sender (None for a group's anonymous admins and channels).
                user_id=message.from_user.id
                if message.from_user and not message.sender_chat
                else None,
            )
        except StorageUnavailable as exc:
            logger.error("Message %s in chat %s not accepted: %s", message.message_id, key, exc)
            texts = self._speaker.texts_in(language)
            await message.reply_text(texts.storage_unavailable, parse_mode=ParseMode.HTML)
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
        texts = await self._speaker.texts(update)
        await message.reply_text(texts.unsupported_message, parse_mode=ParseMode.HTML)

    async def _maybe_add_context(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """GROUP_CONTEXT=all: what the group says goes into its conversation, unanswered."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if (
            message is None
            or chat is None
            or not self._adds_group_context
            or not (message.text or message.caption)
            or not await self._access.group_allowed(chat.id, user.id if user else None)
        ):
            return
        text = message.text or message.caption or ""
        model_text = text_for_model(message, text, context.bot)
        self._engine.add_context(chat_key(message), model_text)
