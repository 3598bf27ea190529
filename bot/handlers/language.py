"""/language: the chat's language, chosen from a keyboard or named (`/language es`, `auto`)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.engine import ChatLanguages
from bot.handlers.access import AccessControl
from bot.handlers.update_context import UpdateContext, UpdateContexts
from bot.texts import LANGUAGES, Language, render
from bot.texts.languages import NATIVE_NAMES, normalise

logger = logging.getLogger(__name__)

LANGUAGE_CALLBACK_PREFIX = "language:"
AUTOMATIC = "auto"


class LanguageHandlers:
    def __init__(
        self,
        languages: ChatLanguages,
        access: AccessControl,
        contexts: UpdateContexts,
    ) -> None:
        self._contexts = contexts
        self._languages = languages
        self._access = access

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the language menu, or switch directly with `/language pt-BR|es|en|auto`."""
        if update.effective_message is None or not await self._access.may_configure(
            update, context.bot
        ):
            return
        here = await self._contexts.of(update)
        assert here is not None  # the update has a message
        if not context.args:
            text, menu = await self._menu(here)
            await here.reply(text, menu)
            return
        wanted = " ".join(context.args).strip()
        if wanted.lower() in (AUTOMATIC, "automatic"):
            reply = await self._choose(update, here, None)
        elif (chosen := normalise(wanted)) is not None:
            reply = await self._choose(update, here, chosen)
        else:
            choices = ", ".join([*LANGUAGES, AUTOMATIC])
            reply = render(here.texts.language_unknown, name=wanted, choices=choices)
        await here.reply(reply)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on the /language menu."""
        query = update.callback_query
        if query is None or not await self._access.may_configure(update, context.bot):
            return
        await query.answer()
        menu = query.message
        if not isinstance(menu, Message):
            return
        here = await self._contexts.of(update)  # the menu's chat
        assert here is not None
        wanted = (query.data or "").removeprefix(LANGUAGE_CALLBACK_PREFIX)
        chosen = next((language for language in LANGUAGES if language == wanted), None)
        if chosen is None and wanted != AUTOMATIC:
            await menu.edit_text(here.texts.language_button_stale, parse_mode=ParseMode.HTML)
            return
        reply = await self._choose(update, here, chosen)
        await menu.edit_text(reply, parse_mode=ParseMode.HTML)

    async def _choose(self, update: Update, here: UpdateContext, language: Language | None) -> str:
        """Store the choice; the confirmation is in the language the chat speaks from now on
        (so the update's context is read again: its language is the one just changed)."""
        chat_id = here.key.chat_id
        await self._languages.choose(chat_id, language)
        logger.info("Chat %s now speaks %s", chat_id, language or "automatically chosen")
        after = await self._contexts.of(update)
        assert after is not None
        if language is None:
            return render(after.texts.language_automatic, language=NATIVE_NAMES[after.language])
        return after.texts.language_chosen

    async def _menu(self, here: UpdateContext) -> tuple[str, InlineKeyboardMarkup]:
        chosen = await self._languages.chosen(here.key.chat_id)
        current, texts = here.language, here.texts
        template = texts.language_menu if chosen else texts.language_menu_automatic
        rows = [
            [
                InlineKeyboardButton(
                    (
                        texts.language_button_current
                        if language == chosen
                        else texts.language_button
                    ).format(name=NATIVE_NAMES[language]),  # buttons are plain text
                    callback_data=LANGUAGE_CALLBACK_PREFIX + language,
                )
            ]
            for language in LANGUAGES
        ]
        automatic = texts.language_button_automatic
        rows.append(
            [
                InlineKeyboardButton(
                    automatic if chosen else texts.language_button_current.format(name=automatic),
                    callback_data=LANGUAGE_CALLBACK_PREFIX + AUTOMATIC,
                )
            ]
        )
        return render(template, language=NATIVE_NAMES[current]), InlineKeyboardMarkup(rows)
