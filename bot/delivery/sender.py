"""Send (or edit) formatted message parts in one chat, falling back to plain text if refused."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias, TypeVar

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden
from telegram.ext import ExtBot

from bot.delivery.telegram_link import TelegramLink
from bot.engine.ports import ChatEvents
from bot.rendering.markdown import MessagePart

logger = logging.getLogger(__name__)

T = TypeVar("T")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096 UTF-16 units of visible text

# The bot as the application builds it: with TelegramRateLimiter, whose per-call arguments are a
# dict such as {"priority": "low"}.
RateLimitedBot: TypeAlias = ExtBot[dict[str, Any]]


async def with_plain_fallback(
    send: Callable[[str, str | None], Awaitable[T]], part: MessagePart, chat_id: int
) -> T:
    """`send(text, parse_mode)` the part as HTML; as plain text if Telegram refuses the HTML."""
    try:
        return await send(part.html, ParseMode.HTML)
    except BadRequest as exc:
        if "parse entities" not in exc.message.lower():
            raise
        logger.warning("Telegram refused the formatting in chat %s (%s)", chat_id, exc)
        return await send(part.plain, None)


class MessageSender:
    """Writes to one chat (or topic). The first message sent quotes the user's message.

    Messages and final edits wait out a Telegram outage; preview edits are dropped instead.
    """

    def __init__(
        self,
        bot: RateLimitedBot,
        chat_id: int,
        link: TelegramLink,
        *,
        topic_id: int | None = None,
        reply_to_message_id: int | None = None,
        events: ChatEvents | None = None,
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self._link = link
        self.topic_id = topic_id
        self._reply_to = reply_to_message_id
        self._events = events

    async def send(
        self, part: MessagePart, buttons: InlineKeyboardMarkup | None = None
    ) -> Message | None:
        """Send one part; None if the chat cannot be written to (the bot was blocked or removed)."""

        async def send(reply: ReplyParameters | None) -> Message:
            async def send_as(text: str, parse_mode: str | None) -> Message:
                return await self._send_message(text, parse_mode, buttons, reply)

            return await with_plain_fallback(send_as, part, self.chat_id)

        return await self.deliver(send, f"A message to chat {self.chat_id}")

    async def edit(self, message: Message, part: MessagePart, *, low_priority: bool) -> None:
        """Replace a message's text; unchanged text is not an error."""
        limits = {"priority": "low"} if low_priority else None

        async def edit(text: str, parse_mode: str | None) -> None:
            await self.bot.edit_message_text(
                text,
                chat_id=self.chat_id,
                message_id=message.message_id,
                parse_mode=parse_mode,
                link_preview_options=NO_PREVIEW,
                rate_limit_args=limits,
            )

        async def edit_once() -> None:
            await with_plain_fallback(edit, part, self.chat_id)

        try:
            if low_priority:
                await edit_once()
            else:
                await self._link.until_delivered(edit_once, f"An edit in chat {self.chat_id}")
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        except Forbidden as exc:
            logger.warning("Cannot edit in chat %s: %s", self.chat_id, exc)

    async def deliver(
        self, send: Callable[[ReplyParameters | None], Awaitable[T]], what: str
    ) -> T | None:
        """Send something other than text (a photo, an album, a document) like a message: it
        waits out an outage, follows a migrated group, quotes the user's message if first."""

        async def attempt() -> T:
            reply = (
                ReplyParameters(message_id=self._reply_to, allow_sending_without_reply=True)
                if self._reply_to
                else None
            )
            return await send(reply)

        try:
            try:
                result = await self._link.until_delivered(attempt, what)
            except ChatMigrated as exc:
                await self._migrated(exc)
                result = await self._link.until_delivered(attempt, what)
        except Forbidden as exc:
            logger.warning("Cannot write to chat %s: %s", self.chat_id, exc)
            if self._events is not None:
                await self._events.chat_unreachable(self.chat_id)
            return None
        self._reply_to = None
        return result

    async def _migrated(self, exc: ChatMigrated) -> None:
        """The group became a supergroup: follow it, and let its conversation follow too."""
        old, self.chat_id = self.chat_id, exc.new_chat_id
        logger.info("Chat %s was upgraded to supergroup %s", old, self.chat_id)
        if self._events is not None:
            await self._events.chat_migrated(old, self.chat_id)

    async def _send_message(
        self,
        text: str,
        parse_mode: str | None,
        buttons: InlineKeyboardMarkup | None,
        reply: ReplyParameters | None,
    ) -> Message:
        return await self.bot.send_message(
            self.chat_id,
            text,
            parse_mode=parse_mode,
            message_thread_id=self.topic_id,
            reply_parameters=reply,
            link_preview_options=NO_PREVIEW,
            reply_markup=buttons,
        )
