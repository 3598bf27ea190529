"""/start, /help, /reset and /persona (with its inline keyboard)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.engine import ChatEngine, ConversationUnavailable
from bot.handlers.access import AccessControl
from bot.handlers.update_context import UpdateContext, UpdateContexts
from bot.personas import Persona, PersonaBook
from bot.texts import Html, render
from storage import Tool

logger = logging.getLogger(__name__)

PERSONA_CALLBACK_PREFIX = "persona:"


class CommandHandlers:
    def __init__(
        self,
        engine: ChatEngine,
        personas: PersonaBook,
        access: AccessControl,
        contexts: UpdateContexts,
        tools_offered: frozenset[Tool] = frozenset(),
        drawing: bool = False,
    ) -> None:
        self._drawing = drawing  # /image is on: /help says so
        self._tools_offered = tools_offered  # what the backend runs of the personas' tools
        self._engine = engine
        self._personas = personas
        self._access = access
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
        if update.effective_message is None or not await self._access.may_configure(
            update, context.bot
        ):
            return
        here = await self._contexts.of(update)
        assert here is not None  # the update has a message
        if context.args:
            wanted = " ".join(context.args)
            chosen = self._personas.get(wanted)
            if chosen is None:
                await here.reply(self._unknown_persona(wanted, here))
                return
            await here.reply(await self._switch(here, chosen))
            return
        current = await self._engine.persona_for(here.key)
        text = render(
            here.texts.persona_current,
            title=current.title_in(here.language),
            description=Html(
                render("{d}", d=current.description_in(here.language))
                + self._tools_line(current, here)
            ),
        )
        await here.reply(text, self._menu(current.name, here))

    async def persona_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on the /persona menu: the menu's message becomes the answer."""
        query = update.callback_query
        if query is None or not await self._access.may_configure(update, context.bot):
            return
        await query.answer()
        name = (query.data or "").removeprefix(PERSONA_CALLBACK_PREFIX)
        persona = self._personas.get(name)
        if not isinstance(query.message, Message):
            return
        here = await self._contexts.of(update)  # the menu's chat (and topic)
        assert here is not None
        if persona is None:
            await query.message.edit_text(
                here.texts.persona_button_stale, parse_mode=ParseMode.HTML
            )
            return
        switched = await self._switch(here, persona)
        await query.message.edit_text(switched, parse_mode=ParseMode.HTML)

    async def unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command we do not have, in a private chat: point to /help."""
        message = update.effective_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        if await self._access.may_talk(update, context.bot):
            here = await self._contexts.of(update)
            assert here is not None
            await here.reply(here.texts.unknown_command)

    async def _switch(self, here: UpdateContext, persona: Persona) -> str:
        texts = here.texts
        try:
            await self._engine.choose_persona(here.key, persona)
        except ConversationUnavailable as exc:
            logger.warning("Persona switch failed in chat %s: %s", here.key, exc)
            return texts.reset_failed
        return render(
            texts.persona_chosen,
            title=persona.title_in(here.language),
            description=Html(
                render("{d}", d=persona.description_in(here.language))
                + self._tools_line(persona, here)
            ),
        )

    def _tools_line(self, persona: Persona, here: UpdateContext) -> str:
        """The persona's tools, each named in the chat's language, then the owner's tools it
        may use, by server ("" when it has neither)."""
        texts = here.texts
        lines = []
        if persona.tools:
            names = []
            for tool in persona.tools:
                name = getattr(texts, f"tool_{tool}")
                names.append(
                    name
                    if tool in self._tools_offered
                    else render(texts.tool_unavailable, tool=name)
                )
            lines.append(render(texts.persona_tools, tools=", ".join(names)))
        if (knowledge := self._engine.knowledge) and (library := knowledge.library(persona)):
            lines.append(
                render(texts.persona_knowledge, library=library.name, count=library.documents)
                if library.handle and "file_search" in self._tools_offered
                else render(texts.knowledge_unavailable, library=library.name)
            )
        if persona.mcp and (functions := self._engine.functions) is not None:
            by_server: dict[str, list[str]] = {}
            for owned in functions.offered(persona.mcp):
                by_server.setdefault(owned.server, []).append(owned.name)
            servers = dict.fromkeys(entry.split(".", 1)[0] for entry in persona.mcp)
            shown = [
                f"{server}: {', '.join(by_server[server])}"
                if server in by_server
                else texts.function_unreachable.format(server=server)
                for server in servers
            ]
            lines.append(render(texts.persona_functions, tools="; ".join(shown)))
        return "".join("\n" + line for line in lines)

    def _menu(self, current: str, here: UpdateContext) -> InlineKeyboardMarkup:
        texts, language = here.texts, here.language
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

    def _unknown_persona(self, wanted: str, here: UpdateContext) -> str:
        texts, language = here.texts, here.language
        choices = Html(
            "\n".join(
                render(
                    texts.persona_choice,
                    name=p.name,
                    title=p.title_in(language),
                    description=p.description_in(language),
                )
                + self._tools_line(p, here)
                for p in self._personas.personas
            )
        )
        return render(texts.persona_unknown, name=wanted, choices=choices)
