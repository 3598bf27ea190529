"""/start, /help, /reset and /persona (with its inline keyboard)."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from bot import texts
from bot.backends import BackendError
from bot.handlers.access import AccessControl
from bot.handlers.addressing import chat_key
from bot.services import Services

logger = logging.getLogger(__name__)

PERSONA_CALLBACK_PREFIX = "persona:"


class CommandHandlers:
    def __init__(self, services: Services, access: AccessControl) -> None:
        self._services = services
        self._access = access

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet, say what the bot does and which persona is active."""
        message = update.effective_message
        if message is None or not await self._access.may_talk(update, context.bot):
            return
        persona = await self._services.engine.persona_for(chat_key(message))
        name = update.effective_user.first_name if update.effective_user else "there"
        await _reply(
            message, texts.START.format(name=html.escape(name), persona=html.escape(persona.title))
        )

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the commands."""
        message = update.effective_message
        if message is None or not await self._access.may_talk(update, context.bot):
            return
        await _reply(
            message,
            texts.HELP.format(
                example=self._services.personas.personas[-1].name,
                username=html.escape(context.bot.username),
            ),
        )

    async def reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forget the chat's (or topic's) conversation and start a new one."""
        message = update.effective_message
        if message is None or not await self._manager(update, context):
            return
        try:
            await self._services.engine.reset(chat_key(message))
        except BackendError as exc:
            logger.warning("Reset failed in chat %s: %s", message.chat_id, exc)
            await _reply(message, texts.RESET_FAILED)
            return
        await _reply(message, texts.RESET_DONE)

    async def persona(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the persona menu, or switch directly with `/persona <name>`."""
        message = update.effective_message
        if message is None or not await self._manager(update, context):
            return
        personas = self._services.personas
        if context.args:
            wanted = " ".join(context.args)
            chosen = personas.get(wanted)
            if chosen is None:
                await _reply(message, self._unknown_persona(wanted))
                return
            await _reply(message, await self._switch(message, chosen.name))
            return
        current = await self._services.engine.persona_for(chat_key(message))
        await message.reply_text(
            texts.PERSONA_CURRENT.format(
                title=html.escape(current.title), description=html.escape(current.description)
            ),
            parse_mode=ParseMode.HTML,
            reply_markup=self._menu(current.name),
        )

    async def persona_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on the /persona menu."""
        query = update.callback_query
        if query is None or not await self._manager(update, context):
            return
        await query.answer()
        name = (query.data or "").removeprefix(PERSONA_CALLBACK_PREFIX)
        message = query.message
        if not isinstance(message, Message) or self._services.personas.get(name) is None:
            if isinstance(message, Message):
                await message.edit_text(texts.PERSONA_BUTTON_STALE)
            return
        await message.edit_text(await self._switch(message, name), parse_mode=ParseMode.HTML)

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command we do not have, in a private chat: point to /help."""
        message = update.effective_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        if await self._access.may_talk(update, context.bot):
            await _reply(message, texts.UNKNOWN_COMMAND)

    async def _switch(self, message: Message, name: str) -> str:
        persona = self._services.personas.get(name)
        assert persona is not None
        try:
            await self._services.engine.choose_persona(chat_key(message), persona)
        except BackendError as exc:
            logger.warning("Persona switch failed in chat %s: %s", message.chat_id, exc)
            return texts.RESET_FAILED
        return texts.PERSONA_CHOSEN.format(
            title=html.escape(persona.title), description=html.escape(persona.description)
        )

    def _menu(self, current: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        ("✅ " if persona.name == current else "") + persona.title,
                        callback_data=PERSONA_CALLBACK_PREFIX + persona.name,
                    )
                ]
                for persona in self._services.personas.personas
            ]
        )

    def _unknown_persona(self, wanted: str) -> str:
        choices = "\n".join(
            texts.PERSONA_CHOICE.format(
                name=p.name, title=html.escape(p.title), description=html.escape(p.description)
            )
            for p in self._services.personas.personas
        )
        return texts.PERSONA_UNKNOWN.format(name=html.escape(wanted), choices=choices)

    async def _manager(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        return await self._access.may_talk(update, context.bot) and await self._access.may_manage(
            update, context.bot
        )


async def _reply(message: Message, text: str) -> None:
    await message.reply_text(text, parse_mode=ParseMode.HTML)
