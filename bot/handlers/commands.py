"""/start, /help, /reset and /persona (with its inline keyboard)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.engine import ChatEngine, ConversationUnavailable
from bot.handlers.access import AccessControl
from bot.handlers.addressing import chat_key
from bot.personas import Persona, PersonaBook
from bot.texts import Html, Texts, render

logger = logging.getLogger(__name__)

PERSONA_CALLBACK_PREFIX = "persona:"


class CommandHandlers:
    def __init__(
        self, engine: ChatEngine, personas: PersonaBook, access: AccessControl, texts: Texts
    ) -> None:
        self._engine = engine
        self._personas = personas
        self._access = access
        self._texts = texts

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet, say what the bot does and which persona is active."""
        message = update.effective_message
        if message is None or not await self._access.may_talk(update, context.bot):
            return
        persona = await self._engine.persona_for(chat_key(message))
        user = update.effective_user
        name = user.first_name if user else self._texts.someone
        await _reply(message, render(self._texts.start, name=name, persona=persona.title))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the commands."""
        message = update.effective_message
        if message is None or not await self._access.may_talk(update, context.bot):
            return
        await _reply(
            message,
            render(
                self._texts.help,
                example=self._personas.personas[-1].name,
                username=context.bot.username,
            ),
        )

    async def reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forget the chat's (or topic's) conversation and start a new one."""
        message = update.effective_message
        if message is None or not await self._manager(update, context):
            return
        try:
            await self._engine.reset(chat_key(message))
        except ConversationUnavailable as exc:
            logger.warning("Reset failed in chat %s: %s", message.chat_id, exc)
            await _reply(message, self._texts.reset_failed)
            return
        await _reply(message, self._texts.reset_done)

    async def persona(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the persona menu, or switch directly with `/persona <name>`."""
        message = update.effective_message
        if message is None or not await self._manager(update, context):
            return
        if context.args:
            wanted = " ".join(context.args)
            chosen = self._personas.get(wanted)
            if chosen is None:
                await _reply(message, self._unknown_persona(wanted))
                return
            await _reply(message, await self._switch(message, chosen))
            return
        current = await self._engine.persona_for(chat_key(message))
        await message.reply_text(
            render(
                self._texts.persona_current, title=current.title, description=current.description
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
        persona = self._personas.get(name)
        if not isinstance(message, Message):
            return
        if persona is None:
            await message.edit_text(self._texts.persona_button_stale, parse_mode=ParseMode.HTML)
            return
        await message.edit_text(await self._switch(message, persona), parse_mode=ParseMode.HTML)

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command we do not have, in a private chat: point to /help."""
        message = update.effective_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        if await self._access.may_talk(update, context.bot):
            await _reply(message, self._texts.unknown_command)

    async def _switch(self, message: Message, persona: Persona) -> str:
        try:
            await self._engine.choose_persona(chat_key(message), persona)
        except ConversationUnavailable as exc:
            logger.warning("Persona switch failed in chat %s: %s", message.chat_id, exc)
            return self._texts.reset_failed
        return render(
            self._texts.persona_chosen, title=persona.title, description=persona.description
        )

    def _menu(self, current: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        (
                            self._texts.persona_button_current
                            if persona.name == current
                            else self._texts.persona_button
                        ).format(title=persona.title),  # buttons are plain text: no escaping
                        callback_data=PERSONA_CALLBACK_PREFIX + persona.name,
                    )
                ]
                for persona in self._personas.personas
            ]
        )

    def _unknown_persona(self, wanted: str) -> str:
        choices = Html(
            "\n".join(
                render(
                    self._texts.persona_choice,
                    name=p.name,
                    title=p.title,
                    description=p.description,
                )
                for p in self._personas.personas
            )
        )
        return render(self._texts.persona_unknown, name=wanted, choices=choices)

    async def _manager(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        return await self._access.may_talk(update, context.bot) and await self._access.may_manage(
            update, context.bot
        )


async def _reply(message: Message, text: str) -> None:
    await message.reply_text(text, parse_mode=ParseMode.HTML)
