"""The Telegram side of a `ReplyChannel`: one chat (or forum topic), replying to one message."""

from __future__ import annotations

import random

from telegram.constants import ChatAction

from bot.channel import ChatEvents, LiveAnswer
from bot.formatting import MessagePart, format_answer, visible_text
from bot.telegram_live import DraftAnswer, EditedAnswer
from bot.telegram_rate_limiter import room_for_low_priority, was_skipped
from bot.telegram_sender import MessageSender, RateLimitedBot


class TelegramChannel:
    """Typing, answers and notices for one chat, as replies to the user's message."""

    def __init__(
        self,
        bot: RateLimitedBot,
        chat_id: int,
        *,
        private: bool,
        topic_id: int | None = None,
        reply_to_message_id: int | None = None,
        group_streaming: bool = False,
        events: ChatEvents | None = None,
    ) -> None:
        self._bot = bot
        self._private = private
        self._group_streaming = group_streaming
        self._sender = MessageSender(
            bot,
            chat_id,
            topic_id=topic_id,
            reply_to_message_id=reply_to_message_id,
            events=events,
        )

    async def show_typing(self, acknowledge: bool = False) -> bool:
        """False if the rate limiter skipped it (a refresh asks first whether it would be)."""
        if not acknowledge and not room_for_low_priority(
            self._bot, self._sender.chat_id, "sendChatAction"
        ):
            return False
        await self._bot.send_chat_action(
            self._sender.chat_id,
            ChatAction.TYPING,
            message_thread_id=self._sender.topic_id,
            rate_limit_args={"priority": "ack"} if acknowledge else None,
        )
        return not was_skipped()

    def live_answer(self) -> LiveAnswer | None:
        """Drafts in private chats; an edited message in groups if enabled; else none."""
        if self._private:
            return DraftAnswer(self._sender, draft_id=random.randint(1, 2**31 - 1))
        if self._group_streaming:
            return EditedAnswer(self._sender)
        return None

    async def send_answer(self, markdown: str) -> None:
        for part in format_answer(markdown):
            await self._sender.send(part)

    async def send_notice(self, text: str) -> None:
        await self._sender.send(MessagePart(html=text, plain=visible_text(text)))
