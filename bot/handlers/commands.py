"""/start, /help, /reset and /persona (with its inline keyboard)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.engine import ChatEngine, ConversationUnavailable
from bot.handlers.access import AccessControl
from bot.handlers.addressing import chat_key
from bot.handlers.speaking import Speaker
from bot.handlers.update_context import UpdateContexts
from bot.personas import Persona, PersonaBook
from bot.texts import Html, Language, render
from storage import Tool

logger = logging.getLogger(__name__)

PERSONA_CALLBACK_PREFIX = "persona:"


class CommandHandlers:
    def __init__(
        self,
        engine: ChatEngine,
        personas: PersonaBook,
        access: AccessControl,
        speaker: Speaker,
        contexts: UpdateContexts,
        tools_offered: frozenset[Tool] = frozenset(),
        drawing: bool = False,
    ) -> None:
        self._drawing = drawing  # /image is on: /help says so
        self._tools_offered = tools_offered  # what the backend runs of the personas' tools
        self._engine = engine
        self._personas = personas
        self._access = access
        self._speaker = speaker
        self._contexts = contexts

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet, say what the bot does and which persona is active."""
        if not await self._access.may_talk(update, context.bot):
            return
        here = await self._contexts.of(update)
        if here is None:
            return
        persona = await self._engine.persona_for(here.key)
        user = update.effective_user
        name = user.first_name if user else here.texts.someone
        await here.reply(
            render(here.texts.start, name=name, persona=persona.title_in(here.language))
        )

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the commands."""
        if not await self._access.may_talk(update, context.bot):
            return
        here = await self._contexts.of(update)
        if here is None:
            return
        texts = here.texts
        text = render(
            texts.help, example=self._personas.personas[-1].name, username=context.bot.username
        )
        await here.reply(Html(f"{text}\n\n{texts.help_image}") if self._drawing else text)

    async def reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Forget the chat's (or topic's) conversation and start a new one."""
        message = update.effective_message
        if message is None or not await self._access.may_configure(update, context.bot):
            return
        here = await self._contexts.of(update)
        assert here is not None  # the update has a message
        try:
            await self._engine.reset(here.key)
        except ConversationUnavailable as exc:
            logger.warning("Reset failed in chat %s: %s", here.key, exc)
            await here.reply(here.texts.reset_failed)
            return
        await here.reply(here.texts.reset_done)

    async def persona(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the persona menu, or switch directly with `/persona <name>`."""
        message = update.effective_message
        if message is None or not await self._access.may_configure(update, context.bot):
            return
        language = await self._speaker.language(update)
        if context.args:
            wanted = " ".join(context.args)
            chosen = self._personas.get(wanted)
            if chosen is None:
                await self._contexts.reply(message, self._unknown_persona(wanted, language))
                return
            await self._contexts.reply(message, await self._switch(message, chosen, language))
            return
        current = await self._engine.persona_for(chat_key(message))
        text = render(
            self._speaker.texts_in(language).persona_current,
            title=current.title_in(language),
            description=Html(
                render("{d}", d=current.description_in(language))
                + self._tools_line(current, language)
            ),
        )
        await self._contexts.reply(message, text, self._menu(current.name, language))

    async def persona_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on the /persona menu."""
        query = update.callback_query
        if query is None or not await self._access.may_configure(update, context.bot):
            return
        await query.answer()
        name = (query.data or "").removeprefix(PERSONA_CALLBACK_PREFIX)
        message = query.message
        persona = self._personas.get(name)
        if not isinstance(message, Message):
            return
        language = await self._speaker.language(update)
        if persona is None:
            stale = self._speaker.texts_in(language).persona_button_stale
            await message.edit_text(stale, parse_mode=ParseMode.HTML)
            return
        switched = await self._switch(message, persona, language)
        await message.edit_text(switched, parse_mode=ParseMode.HTML)

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command we do not have, in a private chat: point to /help."""
        message = update.effective_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        if await self._access.may_talk(update, context.bot):
            await self._contexts.reply(message, (await self._speaker.texts(update)).unknown_command)

    async def _switch(self, message: Message, persona: Persona, language: Language) -> str:
        texts = self._speaker.texts_in(language)
        try:
            await self._engine.choose_persona(chat_key(message), persona)
        except ConversationUnavailable as exc:
            logger.warning("Persona switch failed in chat %s: %s", message.chat_id, exc)
            return texts.reset_failed
        return render(
            texts.persona_chosen,
            title=persona.title_in(language),
            description=Html(
                render("{d}", d=persona.description_in(language))
                + self._tools_line(persona, language)
            ),
        )

    def _tools_line(self, persona: Persona, language: Language) -> str:
        """The persona's tools, each named in the chat's language ("" when it has none)."""
        if not persona.tools:
            return ""
        texts = self._speaker.texts_in(language)
        names = []
        for tool in persona.tools:
            name = getattr(texts, f"tool_{tool}")
            names.append(
                name if tool in self._tools_offered else render(texts.tool_unavailable, tool=name)
            )
        return "\n" + render(texts.persona_tools, tools=", ".join(names))

    def _menu(self, current: str, language: Language) -> InlineKeyboardMarkup:
        texts = self._speaker.texts_in(language)
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        (
                            texts.persona_button_current
                            if persona.name == current
                            else texts.persona_button
                        ).format(title=persona.title_in(language)),  # plain text: no escaping
                        callback_data=PERSONA_CALLBACK_PREFIX + persona.name,
                    )
                ]
                for persona in self._personas.personas
            ]
        )

    def _unknown_persona(self, wanted: str, language: Language) -> str:
        texts = self._speaker.texts_in(language)
        choices = Html(
            "\n".join(
                render(
                    texts.persona_choice,
                    name=p.name,
                    title=p.title_in(language),
                    description=p.description_in(language),
                )
                + self._tools_line(p, language)
                for p in self._personas.personas
            )
        )
        return render(texts.persona_unknown, name=wanted, choices=choices)
