"""A person's pages, all about their private chat with the bot (its key is their user id):
the conversation, personas, usage, settings; and what they do there — switch persona, choose a
language, start over, delete everything about them."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.engine import ChatEngine, ChatLanguages, ConversationUnavailable
from bot.personas import PersonaBook
from bot.texts.languages import LANGUAGES, Language
from bot.usage.reports import UsageReports
from bot.web import pages
from bot.web.replies import said
from bot.web.sessions import Visitor
from bot.web.words import WORDS
from storage import ChatKey
from storage.personal_data import Privacy

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 50  # messages the chat page shows
CHART_DAYS = 30


class PersonPages:
    def __init__(
        self,
        engine: ChatEngine,
        personas: PersonaBook,
        usage: UsageReports,
        languages: ChatLanguages,
        privacy: Privacy,
    ) -> None:
        self._engine = engine
        self._personas = personas
        self._usage = usage
        self._languages = languages
        self._privacy = privacy

    async def chat(self, visitor: Visitor) -> str:
        key = ChatKey(visitor.user_id)
        try:
            history = await self._engine.history(key, HISTORY_LIMIT)
        except ConversationUnavailable as exc:
            logger.warning("Could not read the conversation of %s: %s", key, exc)
            history = []
        persona = await self._engine.persona_for(key)
        return pages.chat(history, persona.title_in(visitor.language), WORDS[visitor.language])

    async def personas(self, visitor: Visitor) -> str:
        current = await self._engine.persona_for(ChatKey(visitor.user_id))
        language = visitor.language
        choices = [
            pages.PersonaChoice(
                p.name,
                p.title_in(language),
                p.description_in(language),
                ", ".join(p.wanted_tools),
                p.name == current.name,
            )
            for p in self._personas.personas
        ]
        return pages.personas(choices, WORDS[language])

    async def usage(self, visitor: Visitor) -> str:
        uid, w = visitor.user_id, WORDS[visitor.language]
        summary = await self._usage.summary(ChatKey(uid), uid, private=True)
        spending = summary.spending
        lines = [
            pages.spend_line(w.today, spending.day, spending.day_limit, w),
            pages.spend_line(w.this_month, spending.month, spending.month_limit, w),
        ]
        days = await self._usage.by_day("user", str(uid), CHART_DAYS)
        chart = pages.daily_chart(days, w.your_chart.format(days=CHART_DAYS), w)
        return pages.usage(lines, chart)

    async def settings(self, visitor: Visitor) -> str:
        chosen = await self._languages.chosen(visitor.user_id)
        return pages.settings(chosen, WORDS[visitor.language])

    async def choose_persona(self, visitor: Visitor, form: dict[str, str]) -> web.Response:
        w = WORDS[visitor.language]
        persona = self._personas.get(form.get("name", ""))
        if persona is None:
            return said(w.no_such_persona, 400)
        try:
            await self._engine.choose_persona(ChatKey(visitor.user_id), persona)
        except ConversationUnavailable as exc:
            logger.warning("Could not switch persona for %s: %s", visitor.user_id, exc)
            return said(w.server_away, 503)
        logger.info("User %s chose persona %s on the web", visitor.user_id, persona.name)
        return said(w.now_talking.format(persona=persona.title_in(visitor.language)))

    async def choose_language(self, visitor: Visitor, form: dict[str, str]) -> web.Response:
        code = form.get("language", "")
        if code and code not in LANGUAGES:
            return said("No such language.", 400)
        language: Language | None = next((lang for lang in LANGUAGES if lang == code), None)
        await self._languages.choose(visitor.user_id, language)
        return said(WORDS[language or visitor.language].saved)

    async def reset(self, visitor: Visitor, form: dict[str, str]) -> web.Response:
        try:
            await self._engine.reset(ChatKey(visitor.user_id))
        except ConversationUnavailable as exc:
            logger.warning("Could not reset the chat of %s: %s", visitor.user_id, exc)
            return said(WORDS[visitor.language].server_away, 503)
        return said(WORDS[visitor.language].fresh_start)

    async def forget(self, visitor: Visitor, form: dict[str, str]) -> web.Response:
        """ "Delete everything about me": after the chat's queued turns, its conversation on
        the server, then the rows kept here (storage/privacy.py says what stays, and why)."""
        uid = visitor.user_id
        keep = self._usage.windows()

        async def forget_rows() -> None:
            await self._privacy.forget_person(uid, keep)
            self._languages.forget(uid)

        try:
            await self._engine.forget_person(uid, forget_rows)
        except ConversationUnavailable as exc:
            logger.warning("Could not delete the data of %s: %s", uid, exc)
            return said(WORDS[visitor.language].not_deleted, 503)
        return said(WORDS[visitor.language].deleted, ended=True)
