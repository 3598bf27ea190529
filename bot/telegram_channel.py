"""The Telegram side of a `ReplyChannel`: one chat (or forum topic), replying to one message."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, LinkPreviewOptions, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.formatting import MessagePart, format_answer, visible_text

logger = logging.getLogger(__name__)

SEND_ATTEMPTS = 4
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramChannel:
    """Sends typing, answers and notices to one chat, as replies to the user's message."""

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        *,
        topic_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._topic_id = topic_id
        self._reply_to = reply_to_message_id

    async def show_typing(self) -> None:
        await self._bot.send_chat_action(
            self._chat_id, ChatAction.TYPING, message_thread_id=self._topic_id
        )

    async def send_answer(self, markdown: str) -> None:
        for part in format_answer(markdown):
            await self._send(part)

    async def send_notice(self, text: str) -> None:
        await self._send(MessagePart(html=text, plain=visible_text(text)))

    async def _send(self, part: MessagePart) -> None:
        """Send one part as HTML, falling back to plain text if Telegram refuses the entities.

        Only the first part quotes the user's message; the rest follow it.
        """
        reply = (
            ReplyParameters(message_id=self._reply_to, allow_sending_without_reply=True)
            if self._reply_to
            else None
        )
        try:
            await self._send_with_retry(part.html, ParseMode.HTML, reply)
        except BadRequest as exc:
            if "parse entities" not in exc.message.lower():
                raise
            logger.warning("Telegram refused the formatting in chat %s (%s)", self._chat_id, exc)
            await self._send_with_retry(part.plain, None, reply)
        except Forbidden as exc:
            logger.warning("Cannot write to chat %s: %s", self._chat_id, exc)
            return
        self._reply_to = None

    async def _send_with_retry(
        self, text: str, parse_mode: str | None, reply: ReplyParameters | None
    ) -> None:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await self._bot.send_message(
                    self._chat_id,
                    text,
                    parse_mode=parse_mode,
                    message_thread_id=self._topic_id,
                    reply_parameters=reply,
                    link_preview_options=NO_PREVIEW,
                )
                return
            except RetryAfter as exc:
                if attempt == SEND_ATTEMPTS:
                    raise
                delay = exc.retry_after
                seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
                logger.warning(
                    "Telegram asked to wait %.0f s before writing to %s", seconds, self._chat_id
                )
                await asyncio.sleep(seconds)
