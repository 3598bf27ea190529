"""The Telegram side of a `ReplyChannel`: one chat (or forum topic), replying to one message."""

from __future__ import annotations

import html
import logging
import random
from collections.abc import Awaitable, Callable
from typing import cast

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction, ChatType, MessageLimit
from telegram.error import TelegramError

from bot.delivery.files_out import is_photo, send_files
from bot.delivery.live import DraftAnswer, EditedAnswer
from bot.delivery.rate_limiter import room_for_low_priority, was_skipped
from bot.delivery.sender import TEXT_LIMIT, MessageSender, RateLimitedBot
from bot.delivery.telegram_link import TelegramLink
from bot.engine.ports import Activity, ChatEvents, LiveAnswer, Question, RetryButton
from bot.rendering.markdown import MessagePart, format_answer, html_part, with_note

logger = logging.getLogger(__name__)

ACTIONS: dict[Activity, ChatAction] = {
    "typing": ChatAction.TYPING,
    "photo": ChatAction.UPLOAD_PHOTO,
    "document": ChatAction.UPLOAD_DOCUMENT,
}
CAPTION_LIMIT = int(MessageLimit.CAPTION_LENGTH)  # 1024 visible characters
RETRY_CALLBACK_PREFIX = "retry:"  # + the inbox entry's id (bot.handlers.retry answers it)
# + the question's token and "y" or "n" (bot.handlers.questions answers it)
QUESTION_CALLBACK_PREFIX = "ask:"


class TelegramChannel:
    """Typing, answers and notices for one chat, as replies to the user's message."""

    def __init__(
        self,
        bot: RateLimitedBot,
        chat_id: int,
        link: TelegramLink,
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
        self._acknowledged = False  # a typing action reached the chat for this message
        self._action = ChatAction.TYPING
        self._sender = MessageSender(
            bot,
            chat_id,
            link,
            topic_id=topic_id,
            reply_to_message_id=reply_to_message_id,
            events=events,
        )

    async def show_typing(self, acknowledge: bool = False) -> bool:
        """False if the rate limiter skipped it (a refresh asks first whether it would be).

        Once "typing…" shows, the answer's first draft need not wait for budget: under load
        one sign of life per message is what Telegram's budget affords.
        """
        if not acknowledge and not room_for_low_priority(
            self._bot, self._sender.chat_id, "sendChatAction"
        ):
            return False
        await self._bot.send_chat_action(
            self._sender.chat_id,
            self._action,
            message_thread_id=self._sender.topic_id,
            rate_limit_args={"priority": "ack"} if acknowledge else None,
        )
        sent = not was_skipped()
        self._acknowledged = self._acknowledged or sent
        return sent

    def set_activity(self, activity: Activity) -> None:
        self._action = ACTIONS[activity]

    def live_answer(self) -> LiveAnswer | None:
        """Drafts in private chats; an edited message in groups if enabled; else none."""
        if self._private:
            return DraftAnswer(
                self._sender,
                draft_id=random.randint(1, 2**31 - 1),
                acknowledged=lambda: self._acknowledged,
            )
        if self._group_streaming:
            return EditedAnswer(self._sender)
        return None

    async def send_answer(self, markdown: str, note: str = "") -> None:
        for part in with_note(format_answer(markdown, TEXT_LIMIT), note, TEXT_LIMIT):
            await self._sender.send(part)

    async def send_notice(self, text: str, retry: RetryButton | None = None) -> None:
        buttons = None
        if retry is not None:
            data = f"{RETRY_CALLBACK_PREFIX}{retry.entry_id}"
            buttons = InlineKeyboardMarkup(
                [[InlineKeyboardButton(retry.label, callback_data=data)]]
            )
        await self._sender.send(html_part(text), buttons)

    async def ask(self, question: Question) -> None:
        prefix = f"{QUESTION_CALLBACK_PREFIX}{question.token}:"
        buttons = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(question.yes, callback_data=prefix + "y"),
                    InlineKeyboardButton(question.no, callback_data=prefix + "n"),
                ]
            ]
        )
        await self._sender.send(html_part(question.text), buttons)

    async def reply(self, text: str, menu: InlineKeyboardMarkup | None = None) -> None:
        """One of the bot's own texts (Telegram HTML) in reply, with a menu of buttons if given:
        through the sender, so it waits out an outage and falls back to plain text."""
        await self._sender.send(html_part(text), menu)

    async def send_files(
        self, files: list[tuple[str, bytes]], caption: str = "", note: str = ""
    ) -> bool:
        """Say what is coming ("sending a photo…"), if there is room for it, then send; the
        answer rides as the first file's caption when it fits one (True if it did)."""
        self.set_activity("photo" if any(is_photo(n, d) for n, d in files) else "document")
        await self.show_typing()
        parts = with_note(format_answer(caption, CAPTION_LIMIT), note, CAPTION_LIMIT)
        fits = bool(caption.strip()) and len(parts) == 1
        await send_files(self._sender, files, parts[0] if fits else None)
        return fits


class ChannelFactory:
    """Builds the way back to a chat, for a new message and for one resumed after a restart."""

    def __init__(
        self, bot: Bot, link: TelegramLink, *, group_streaming: bool, events: ChatEvents
    ) -> None:
        # The application is built with TelegramRateLimiter, so its bot takes rate_limit_args.
        self._bot = cast(RateLimitedBot, bot)
        self._link = link
        self._group_streaming = group_streaming
        self._events = events

    def channel(
        self, chat_id: int, *, private: bool, topic_id: int | None, reply_to: int | None
    ) -> TelegramChannel:
        return TelegramChannel(
            self._bot,
            chat_id,
            self._link,
            private=private,
            topic_id=topic_id,
            reply_to_message_id=reply_to,
            group_streaming=self._group_streaming,
            events=self._events,
        )

    def to_chat(self, chat_id: int) -> TelegramChannel:
        """Writes to a chat unprompted (a group's welcome or refusal, the owner's error report):
        no message to quote, the same wait through an outage."""
        return TelegramChannel(self._bot, chat_id, self._link, private=False, events=self._events)

    def for_message(self, message: Message) -> TelegramChannel:
        """Replies to `message`, in its topic if it was sent in one."""
        return self.channel(
            message.chat_id,
            private=message.chat.type == ChatType.PRIVATE,
            topic_id=message.message_thread_id if message.is_topic_message else None,
            reply_to=message.message_id,
        )


def plain_notices(bot: Bot, link: TelegramLink, chat_id: int) -> Callable[[str], Awaitable[None]]:
    """Plain-text notices to one chat (the owner's ERROR_CHAT_ID), sent like every message:
    through the sender, which waits out a Telegram outage and follows a migrated group."""
    sender = MessageSender(cast(RateLimitedBot, bot), chat_id, link)

    async def send(text: str) -> None:
        try:
            await sender.send(MessagePart(html.escape(text, quote=False), text))
        except TelegramError as exc:
            logger.warning("Could not send a notice to chat %s: %s", chat_id, exc)

    return send
