"""Every sentence a user can read, in one typed catalogue per language.

`ENGLISH` is the catalogue in use; a language is one module here defining `TEXTS = Texts(...)`.
Imports nothing from the rest of the bot.
"""

from bot.texts.catalogue import Html, Texts, placeholders, render
from bot.texts.en import TEXTS as ENGLISH

__all__ = ["ENGLISH", "Html", "Texts", "placeholders", "render"]
