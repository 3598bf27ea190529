"""Which chat (or topic) a message belongs to, and whether it is meant for the bot."""

from __future__ import annotations

from typing import cast

from telegram import Bot, Message, MessageEntity
from telegram.constants import ChatType

from bot.telegram_channel import TelegramChannel
from bot.telegram_sender import RateLimitedBot
from storage import ChatKey


def chat_key(message: Message) -> ChatKey:
    """Forum topics are separate conversations; elsewhere `message_thread_id` is a reply chain."""
    topic = message.message_thread_id if message.is_topic_message else None
    return ChatKey(chat_id=message.chat_id, topic_id=topic or 0)


def reply_channel(bot: Bot, message: Message, *, group_streaming: bool) -> TelegramChannel:
    return TelegramChannel(
        cast(RateLimitedBot, bot),  # the application is built with TelegramRateLimiter
        message.chat_id,
        private=is_private(message),
        topic_id=message.message_thread_id if message.is_topic_message else None,
        reply_to_message_id=message.message_id,
        group_streaming=group_streaming,
    )


def is_private(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


def text_for_model(message: Message, bot: Bot) -> str | None:
    """The text to send to the model, or None when the bot should stay quiet.

    Private chats: every text. Groups: only when the bot is mentioned or replied to; the mention is
    removed and the sender's name put in front, so the model knows who speaks.
    """
    text = message.text or ""
    if is_private(message):
        return text
    mentioned = False
    for entity, value in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    ).items():
        if (
            entity.type == MessageEntity.MENTION and value.lower() == f"@{bot.username}".lower()
        ) or (
            entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id
        ):
            mentioned = True
            if entity.type == MessageEntity.MENTION:
                text = text.replace(value, "", 1)
    replied = message.reply_to_message
    replied_to_bot = bool(
        replied
        and replied.from_user
        and replied.from_user.id == bot.id
        and not _topic_root(message)
    )
    if not (mentioned or replied_to_bot):
        return None
    text = text.replace("  ", " ").strip()
    sender = message.from_user.full_name if message.from_user else (message.chat.title or "Someone")
    return f"{sender}: {text}"


def _topic_root(message: Message) -> bool:
    """In forum topics every message 'replies' to the topic's creation message."""
    replied = message.reply_to_message
    return bool(message.is_topic_message and replied and replied.forum_topic_created)
