"""The "Try again" button under "the model could not answer": the failed message, run again."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.delivery.channel import RETRY_CALLBACK_PREFIX, ChannelFactory
from bot.engine import ChatEngine, ReplyChannel
from bot.handlers.access import AccessControl
from bot.handlers.addressing import chat_key, is_private
from bot.handlers.update_context import UpdateContexts
from storage import InboxEntry

logger = logging.getLogger(__name__)


class RetryHandlers:
    def __init__(
        self,
        engine: ChatEngine,
        access: AccessControl,
        channels: ChannelFactory,
        contexts: UpdateContexts,
    ) -> None:
        self._engine = engine
        self._access = access
        self._channels = channels
        self._contexts = contexts

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Queue the message again and take the button away, so one press is one answer."""
        query = update.callback_query
        if query is None:
            return
        message = query.message
        if not isinstance(message, Message) or not await self._access.may_talk(update, context.bot):
            await query.answer()
            return
        entry_id = (query.data or "").removeprefix(RETRY_CALLBACK_PREFIX)
        key, private = chat_key(message), is_private(message)

        def channel_for(entry: InboxEntry) -> ReplyChannel:
            return self._channels.channel(
                entry.key.chat_id,
                private=private,
                topic_id=key.topic_id or None,
                reply_to=entry.message_id,
            )

        queued = entry_id.isdigit() and await self._engine.retry(key, int(entry_id), channel_for)
        if queued:
            await query.answer()
        else:
            logger.info("Retry of entry %s in chat %s: gone", entry_id, key)
            await query.answer((await self._contexts.texts(update)).retry_stale, show_alert=True)
        if message.reply_markup is not None:
            try:
                await query.edit_message_reply_markup(None)
            except BadRequest as exc:  # already taken away (a second tap, another device)
                logger.debug("Retry button in chat %s: %s", key, exc)
