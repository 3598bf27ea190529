"""An update read once: where it came from, who sent it, the language to answer in, and the way
back (the one path that waits out a Telegram outage), as aiogram resolves an event's context."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update

from bot.delivery.channel import ChannelFactory, TelegramChannel
from bot.handlers.addressing import chat_key, is_private
from bot.handlers.speaking import Speaker
from bot.texts import Language, Texts
from storage import ChatKey


@dataclass(frozen=True, slots=True)
class UpdateContext:
    message: Message
    key: ChatKey  # the chat, or its forum topic
    private: bool
    sender_id: int | None  # who pays; None for a group's anonymous admins and channels
    language: Language
    texts: Texts
    channel: TelegramChannel

    async def reply(self, text: str, menu: InlineKeyboardMarkup | None = None) -> None:
        """One of the bot's texts (Telegram HTML) in reply to the message."""
        await self.channel.reply(text, menu)


class UpdateContexts:
    """Reads updates into contexts: the chat key, the sender and the language, once each."""

    def __init__(self, speaker: Speaker, channels: ChannelFactory) -> None:
        self._speaker = speaker
        self._channels = channels

    async def reply(
        self, message: Message, text: str, menu: InlineKeyboardMarkup | None = None
    ) -> None:
        """One of the bot's texts (Telegram HTML) in reply to `message`, the way every reply
        goes: waiting out an outage, plain text where Telegram refuses the formatting."""
        await self._channels.for_message(message).reply(text, menu)

    async def send(self, chat_id: int, text: str) -> None:
        """One of the bot's texts to a chat, unprompted, the way every reply goes."""
        await self._channels.to_chat(chat_id).reply(text)

    async def texts(self, update: Update) -> Texts:
        """The texts to answer an update in, also one without a message (the bot being added to
        a group); a storage fault falls back to the default language."""
        return await self._speaker.texts(update)

    async def of(self, update: Update) -> UpdateContext | None:
        """The update's context; None for an update without a message."""
        message = update.effective_message
        if message is None:
            return None
        language = await self._speaker.language(update)
        # effective_user: on a button, who tapped it (the message it is on is the bot's own).
        sender = update.effective_user
        return UpdateContext(
            message=message,
            key=chat_key(message),
            private=is_private(message),
            sender_id=sender.id if sender and not message.sender_chat else None,
            language=language,
            texts=self._speaker.texts_in(language),
            channel=self._channels.for_message(message),
        )
