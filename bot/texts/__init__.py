"""Every sentence a user can read, in one typed catalogue per language.

A language is one module here defining `TEXTS = Texts(...)` and a name in `languages.py`;
`CATALOGUES` maps each language to its texts. Imports nothing from the rest of the bot.
"""

from collections.abc import Mapping
from types import MappingProxyType

from bot.texts import es, pt_br
from bot.texts.catalogue import Html, Texts, placeholders, render
from bot.texts.en import TEXTS as ENGLISH
from bot.texts.languages import LANGUAGES, Language

CATALOGUES: Mapping[Language, Texts] = MappingProxyType(
    {"en": ENGLISH, "pt-BR": pt_br.TEXTS, "es": es.TEXTS}
)

__all__ = [
    "CATALOGUES",
    "ENGLISH",
    "LANGUAGES",
    "Html",
    "Language",
    "Texts",
    "placeholders",
    "render",
]
