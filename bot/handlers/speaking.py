"""The texts to answer an update with: the catalogue of the chat's language."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import Update
from telegram.constants import ChatType

from bot.engine import ChatLanguages
from bot.texts import Language, Texts

logger = logging.getLogger(__name__)


class Speaker:
    """Resolves each update's language once per reply; a storage fault falls back to the default,
    so even "my storage is unavailable" can still be said."""

    def __init__(self, languages: ChatLanguages, catalogues: Mapping[Language, Texts]) -> None:
        self._languages = languages
        self._catalogues = catalogues

    async def language(self, update: Update) -> Language:
        chat, user = update.effective_chat, update.effective_user
        if chat is None:
            return self._languages.default
        try:
            return await self._languages.for_message(
                chat.id,
                private=chat.type == ChatType.PRIVATE,
                sender_code=user.language_code if user else None,
            )
        except Exception as exc:  # the database is the likely culprit; say it in the default
            logger.warning("Could not read the language of chat %s: %s", chat.id, exc)
            return self._languages.default

    async def texts(self, update: Update) -> Texts:
        return self._catalogues[await self.language(update)]

    def texts_in(self, language: Language) -> Texts:
        return self._catalogues[language]
