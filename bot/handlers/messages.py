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
from bot.handlers.attachments import attachments_of, file_label
from bot.handlers.speaking import Speaker
from bot.media.settings import ImageCommand
from bot.texts import render
from storage import Attachment, StorageUnavailable, Tool

logger = logging.getLogger(__name__)

IMAGE_TOOL: Tool = "image_generation"  # the hosted tool /image forces


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
        image_detail: str = "high",
        drawing: ImageCommand = "off",
    ) -> None:
        self._drawing = drawing  # /image: off, on, or on but the backend cannot draw
        self._image_detail = image_detail
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
        await self._accept(update, context, text_for_model(message, text, context.bot))

    async def image(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/image <description>`: a turn that must draw (where the owner turned /image on)."""
        message = update.effective_message
        if message is None or not await self._access.may_talk(update, context.bot):
            return
        words = (message.text or "").split(maxsplit=1)
        prompt = words[1].strip() if len(words) > 1 else ""
        if self._drawing == "on" and prompt:
            model_text = text_for_model(message, f"Draw this image: {prompt}", context.bot)
            await self._accept(update, context, model_text, tool=IMAGE_TOOL)
            return
        texts = await self._speaker.texts(update)
        reply = {
            "on": texts.image_prompt_missing,
            "off": texts.image_command_off,
            "unavailable": texts.image_generation_unavailable,
        }[self._drawing]
        logger.info("/image in chat %s not run (%s)", message.chat_id, self._drawing)
        await message.reply_text(reply, parse_mode=ParseMode.HTML)

    async def media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice, audio, video notes and documents: a turn like a text, once the engine
        has checked the limits (the caption is the text; in groups the same triggers apply)."""
        message = update.effective_message
        if message is None:
            return
        attachments = attachments_of(message, image_detail=self._image_detail)
        text = addressed_text(message, context.bot, self._trigger)
        if text is None:
            if message.media_group_id and attachments:  # its caption may be on another item
                await self._engine.offer_album_item(
                    chat_key(message), message.media_group_id, attachments
                )
            await self._maybe_add_context(update, context)
            return
        if not await self._access.may_talk(update, context.bot):
            return
        if attachments is None:
            logger.info(
                "Unreadable file in message %s in chat %s (%s)",
                message.message_id,
                message.chat_id,
                message.document.mime_type if message.document else None,
            )
            texts = await self._speaker.texts(update)
            reply = render(texts.file_type_unsupported, name=file_label(message))
            await message.reply_text(reply, parse_mode=ParseMode.HTML)
            return
        model_text = text_for_model(message, text, context.bot, note_attachment=False)
        await self._accept(update, context, model_text.strip(), attachments, message.media_group_id)

    async def _accept(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        model_text: str,
        attachments: tuple[Attachment, ...] = (),
        album_id: str | None = None,
        tool: Tool | None = None,
    ) -> None:
        message = update.effective_message
        assert message is not None
        language = await self._speaker.language(update)
        key = chat_key(message)
        channel = self._channels.for_message(message)
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
                attachments=attachments,
                album_id=album_id,
                tool=tool,
            )
        except StorageUnavailable as exc:
            logger.error("Message %s in chat %s not accepted: %s", message.message_id, key, exc)
            texts = self._speaker.texts_in(language)
            await message.reply_text(texts.storage_unavailable, parse_mode=ParseMode.HTML)
            return
        if accepted:
            logger.info("Message %s accepted in chat %s", message.message_id, key)

    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, videos, polls…: say politely what is understood (private chats)."""
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
