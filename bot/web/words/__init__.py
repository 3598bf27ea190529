"""The words of a person's web pages, in the bot's three languages (the chat's language, as
the bot chooses it in Telegram). The owners' pages are in English, like every operator report
(/status, /usage all, the log)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.texts.languages import Language
from bot.web.words.english import EN
from bot.web.words.page_words import Words
from bot.web.words.portuguese import PT_BR
from bot.web.words.spanish import ES

WORDS: Mapping[Language, Words] = MappingProxyType({"en": EN, "es": ES, "pt-BR": PT_BR})

__all__ = ["EN", "WORDS", "Words"]
