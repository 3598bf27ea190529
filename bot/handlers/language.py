"""/language: the chat's language, chosen from a keyboard or named (`/language es`, `auto`)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.engine import ChatLanguages
from bot.handlers.access import AccessControl
from bot.handlers.speaking import Speaker
from bot.handlers.update_context import UpdateContexts
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
        speaker: Speaker,
        contexts: UpdateContexts,
    ) -> None:
        self._contexts = contexts
        self._languages = languages
        self._access = access
        self._speaker = speaker

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the language menu, or switch directly with `/language pt-BR|es|en|auto`."""
        message = update.effective_message
        if message is None or not await self._access.may_configure(update, context.bot):
            return
        if not context.args:
            text, menu = await self._menu(update, message.chat_id)
            await self._contexts.reply(message, text, menu)
            return
        wanted = " ".join(context.args).strip()
        if wanted.lower() in (AUTOMATIC, "automatic"):
            reply = await self._choose(update, message.chat_id, None)
        elif (chosen := normalise(wanted)) is not None:
            reply = await self._choose(update, message.chat_id, chosen)
        else:
            texts = await self._speaker.texts(update)
            choices = ", ".join([*LANGUAGES, AUTOMATIC])
            reply = render(texts.language_unknown, name=wanted, choices=choices)
        await self._contexts.reply(message, reply)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A tap on the /language menu."""
        query = update.callback_query
        if query is None or not await self._access.may_configure(update, context.bot):
            return
        await query.answer()
        message = query.message
        if not isinstance(message, Message):
            return
        wanted = (query.data or "").removeprefix(LANGUAGE_CALLBACK_PREFIX)
        chosen = next((language for language in LANGUAGES if language == wanted), None)
        if chosen is None and wanted != AUTOMATIC:
            stale = (await self._speaker.texts(update)).language_button_stale
            await message.edit_text(stale, parse_mode=ParseMode.HTML)
            return
        reply = await self._choose(update, message.chat_id, chosen)
        await message.edit_text(reply, parse_mode=ParseMode.HTML)

    async def _choose(self, update: Update, chat_id: int, language: Language | None) -> str:
        """Store the choice; the confirmation is in the language the chat speaks from now on."""
        await self._languages.choose(chat_id, language)
        logger.info("Chat %s now speaks %s", chat_id, language or "automatically chosen")
        now = await self._speaker.language(update)
        texts = self._speaker.texts_in(now)
        if language is None:
            return render(texts.language_automatic, language=NATIVE_NAMES[now])
        return texts.language_chosen

    async def _menu(self, update: Update, chat_id: int) -> tuple[str, InlineKeyboardMarkup]:
        chosen = await self._languages.chosen(chat_id)
        current = await self._speaker.language(update)
        texts = self._speaker.texts_in(current)
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
