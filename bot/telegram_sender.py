"""Send (or edit) formatted message parts in one chat, falling back to plain text if refused."""

from __future__ import annotations

import logging
from typing import Any, TypeAlias

from telegram import LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import ExtBot

from bot.channel import ChatEvents
from bot.formatting import MessagePart

logger = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

# The bot as the application builds it: with TelegramRateLimiter, whose per-call arguments are a
# dict such as {"priority": "low"}.
RateLimitedBot: TypeAlias = ExtBot[dict[str, Any]]


def refused_formatting(exc: BadRequest) -> bool:
    return "parse entities" in exc.message.lower()


class MessageSender:
    """Writes to one chat (or topic). The first message sent quotes the user's message."""

    def __init__(
        self,
        bot: RateLimitedBot,
        chat_id: int,
        *,
        topic_id: int | None = None,
        reply_to_message_id: int | None = None,
        events: ChatEvents | None = None,
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.topic_id = topic_id
        self._reply_to = reply_to_message_id
        self._events = events

    async def send(self, part: MessagePart) -> Message | None:
        """Send one part; None if the chat cannot be written to (the bot was blocked or removed)."""
        reply = (
            ReplyParameters(message_id=self._reply_to, allow_sending_without_reply=True)
            if self._reply_to
            else None
        )
        try:
            try:
                message = await self._send_formatted(part, reply)
            except ChatMigrated as exc:
                await self._migrated(exc)
                message = await self._send_formatted(part, reply)
        except Forbidden as exc:
            logger.warning("Cannot write to chat %s: %s", self.chat_id, exc)
            if self._events is not None:
                await self._events.chat_unreachable(self.chat_id)
            return None
        self._reply_to = None
        return message

    async def _send_formatted(self, part: MessagePart, reply: ReplyParameters | None) -> Message:
        try:
            return await self._send_message(part.html, ParseMode.HTML, reply)
        except BadRequest as exc:
            if not refused_formatting(exc):
                raise
            logger.warning("Telegram refused the formatting in chat %s (%s)", self.chat_id, exc)
            return await self._send_message(part.plain, None, reply)

    async def _migrated(self, exc: ChatMigrated) -> None:
        """The group became a supergroup: follow it, and let its conversation follow too."""
        old, self.chat_id = self.chat_id, exc.new_chat_id
        logger.info("Chat %s was upgraded to supergroup %s", old, self.chat_id)
        if self._events is not None:
            await self._events.chat_migrated(old, self.chat_id)

    async def edit(self, message: Message, part: MessagePart, *, low_priority: bool) -> None:
        """Replace a message's text; unchanged text is not an error."""
        limits = {"priority": "low"} if low_priority else None
        try:
            try:
                await self.bot.edit_message_text(
                    part.html,
                    chat_id=self.chat_id,
                    message_id=message.message_id,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    rate_limit_args=limits,
                )
            except BadRequest as exc:
                if not refused_formatting(exc):
                    raise
                await self.bot.edit_message_text(
                    part.plain,
                    chat_id=self.chat_id,
                    message_id=message.message_id,
                    link_preview_options=NO_PREVIEW,
                    rate_limit_args=limits,
                )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        except Forbidden as exc:
            logger.warning("Cannot edit in chat %s: %s", self.chat_id, exc)

    async def _send_message(
        self, text: str, parse_mode: str | None, reply: ReplyParameters | None
    ) -> Message:
        return await self.bot.send_message(
            self.chat_id,
            text,
            parse_mode=parse_mode,
            message_thread_id=self.topic_id,
            reply_parameters=reply,
            link_preview_options=NO_PREVIEW,
        )
