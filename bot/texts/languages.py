"""The languages the bot speaks, and which one a chat gets.

Pure data and rules, no I/O: the engine reads the stored choices, the handlers bring Telegram's
`language_code`, and `choose` decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, TypeAlias, get_args

Language: TypeAlias = Literal["en", "pt-BR", "es"]
LANGUAGES: tuple[Language, ...] = get_args(Language)

# How each language is offered on the /language keyboard: in itself, so anyone finds theirs.
NATIVE_NAMES: Mapping[Language, str] = MappingProxyType(
    {"en": "English", "pt-BR": "Português (Brasil)", "es": "Español"}
)

# How the model is told which language to fall back on (its instructions are English).
ENGLISH_NAMES: Mapping[Language, str] = MappingProxyType(
    {"en": "English", "pt-BR": "Brazilian Portuguese", "es": "Spanish"}
)

# Telegram's per-language texts take a two-letter ISO 639-1 code, so pt-BR's reach pt-PT too.
TELEGRAM_CODES: Mapping[Language, str] = MappingProxyType({"en": "en", "pt-BR": "pt", "es": "es"})

# Base languages: every Portuguese is served in Brazilian Portuguese, every Spanish in the
# neutral Latin American Spanish of the catalogue.
_BY_BASE: Mapping[str, Language] = MappingProxyType({"en": "en", "pt": "pt-BR", "es": "es"})


def normalise(code: str | None) -> Language | None:
    """The catalogue for an IETF tag as Telegram sends it (`pt-br`, `es-419`, `en-US`…), if any."""
    if not code:
        return None
    cleaned = code.strip().replace("_", "-").lower()
    for language in LANGUAGES:
        if cleaned == language.lower():
            return language
    return _BY_BASE.get(cleaned.split("-", 1)[0])


def known(value: str | None) -> Language | None:
    """A stored language name, if it still is one of ours."""
    return next((language for language in LANGUAGES if language == value), None)


def choose(
    *,
    chosen: Language | None,
    sender: Language | None,
    joined: Language | None,
    private: bool,
    default: Language,
) -> Language:
    """The chat's own choice; else in private the sender's app language; else in a group the
    language of whoever added the bot; else the owner's default."""
    if chosen is not None:
        return chosen
    fallback = sender if private else joined
    return fallback or default
