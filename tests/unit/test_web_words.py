"""The web pages' words: every language has each one, with the same placeholders."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.texts import placeholders
from bot.texts.languages import LANGUAGES
from bot.web.words import EN, WORDS

NAMES = [f.name for f in fields(EN)]


def test_every_language_has_its_words() -> None:
    assert sorted(WORDS) == sorted(LANGUAGES)


@pytest.mark.parametrize("name", NAMES)
def test_each_word_is_there_with_the_same_placeholders_in_every_language(name: str) -> None:
    english = placeholders(getattr(EN, name))
    for language, words in WORDS.items():
        text = getattr(words, name)
        assert text.strip(), (language, name)
        assert placeholders(text) == english, (language, name)
