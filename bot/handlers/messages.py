"""Messages for the model: private texts, and group messages addressed to the bot."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.engine import ChatEngine
from bot.handlers.access import AccessControl
from bot.handlers.addressing import addressed_text, chat_key, is_private, text_for_model
from bot.handlers.arrival_order import ArrivalOrder
from bot.handlers.attachments import attachments_of, file_label
from bot.handlers.update_context import UpdateContext, UpdateContexts
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
        contexts: UpdateContexts,
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
        self._contexts = contexts
        self._trigger = trigger
        self._adds_group_context = adds_group_context
        self._order = ArrivalOrder()

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Queue the message for the model; the engine answers in order and keeps typing alive."""
        message = update.effective_message
        if message is None:
            return
        with self._order.held(message.chat_id, message.message_id):
            await self._text(update, context)

    async def _text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        text = addressed_text(message, context.bot, self._trigger)
        if text is None:
            await self._maybe_add_context(update, context)
            return
        if not await self._access.may_talk(update, context.bot):
            return
        here = await self._contexts.of(update)
        assert here is not None  # the update has a message
        if not text.strip() and not message.reply_to_message and not message.effective_attachment:
            await here.reply(here.texts.empty_message)  # a bare "@bot"
            return
        await self._accept(here, text_for_model(message, text, context.bot))

    async def image(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/image <description>`: a turn that must draw (where the owner turned /image on)."""
        message = update.effective_message
        if message is None:
            return
        with self._order.held(message.chat_id, message.message_id):
            await self._image(update, context)

    async def _image(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        if not await self._access.may_talk(update, context.bot):
            return
        words = (message.text or "").split(maxsplit=1)
        prompt = words[1].strip() if len(words) > 1 else ""
        here = await self._contexts.of(update)
        assert here is not None
        if self._drawing == "on" and prompt:
            model_text = text_for_model(message, f"Draw this image: {prompt}", context.bot)
            await self._accept(here, model_text, tool=IMAGE_TOOL)
            return
        texts = here.texts
        reply = {
            "on": texts.image_prompt_missing,
            "off": texts.image_command_off,
            "unavailable": texts.image_generation_unavailable,
        }[self._drawing]
        logger.info("/image in chat %s not run (%s)", message.chat_id, self._drawing)
        await here.reply(reply)

    async def media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice, audio, video notes and documents: a turn like a text, once the engine
        has checked the limits (the caption is the text; in groups the same triggers apply)."""
        message = update.effective_message
        if message is None:
            return
        with self._order.held(message.chat_id, message.message_id):
            await self._media(update, context)

    async def _media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
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
        here = await self._contexts.of(update)
        assert here is not None
        if attachments is None:
            logger.info(
                "Unreadable file in message %s in chat %s (%s)",
                message.message_id,
                message.chat_id,
                message.document.mime_type if message.document else None,
            )
            await here.reply(render(here.texts.file_type_unsupported, name=file_label(message)))
            return
        model_text = text_for_model(message, text, context.bot, note_attachment=False)
        await self._accept(here, model_text.strip(), attachments, message.media_group_id)

    async def _accept(
        self,
        here: UpdateContext,
        model_text: str,
        attachments: tuple[Attachment, ...] = (),
        album_id: str | None = None,
        tool: Tool | None = None,
    ) -> None:
        message_id = here.message.message_id
        await self._order.turn(here.message.chat_id, message_id)
        try:
            accepted = await self._engine.accept_message(
                here.key,
                model_text,
                here.channel,
                message_id=message_id,
                private=here.private,
                language=here.language,
                user_id=here.sender_id,  # who pays
                attachments=attachments,
                album_id=album_id,
                tool=tool,
            )
        except StorageUnavailable as exc:
            logger.error("Message %s in chat %s not accepted: %s", message_id, here.key, exc)
            await here.reply(here.texts.storage_unavailable)
            return
        if accepted:
            logger.info("Message %s accepted in chat %s", message_id, here.key)

    async def unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, videos, polls…: say politely what is understood (private chats)."""
        message = update.effective_message
        if message is None or not is_private(message):
            return
        if not await self._access.may_talk(update, context.bot):
            return
        logger.info("Unsupported message %s in chat %s", message.message_id, message.chat_id)
        here = await self._contexts.of(update)
        if here is not None:
            await here.reply(here.texts.unsupported_message)

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
