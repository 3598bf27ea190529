"""The owners' personas page: each persona with the chats that use it, and the personas file
to edit — checked by the same loader as at start-up, saved only whole and valid.

A saved file takes effect when the bot restarts (every process reads it at start, and a persona
in use must not change under a turn being written); the page says so. Where the bot runs on
the bundled personas (no PERSONAS_FILE) or the file cannot be written (a read-only mount), the
page still checks a draft, and says where the file should go. The file is shown with the bot's
secrets scrubbed, as every log line is; a draft that still holds the scrub mark is refused.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from importlib import resources
from pathlib import Path

from bot.logging_setup import REDACTED, redact
from bot.personas import PersonaBook, PersonaFileError, parse_personas
from bot.web import pages

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 64 * 1024


class PersonaEditor:
    def __init__(
        self,
        path: Path | None,
        default_name: str | None,
        personas: PersonaBook,
        chats: Callable[[], Awaitable[dict[str, list[int]]]],
        secrets: Iterable[str],
    ) -> None:
        """`path`: PERSONAS_FILE (None: the bundled file); `personas`: as loaded at start."""
        self._path = path
        self._default = default_name
        self._personas = personas
        self._chats = chats  # the chats using each persona, by name
        self._secrets = tuple(s for s in secrets if s)

    async def page(self) -> str:
        chats = await self._chats()
        text = redact(await asyncio.to_thread(self._read), self._secrets)
        rows = [
            (p.name, p.title, ", ".join(p.wanted_tools), chats.get(p.name, []))
            for p in self._personas.personas
        ]
        return pages.persona_editor(
            rows,
            default=self._personas.default.name,
            text=text,
            where=str(self._path) if self._path else None,
            writable=self._writable(),
        )

    def check(self, text: str) -> tuple[bool, str]:
        """Whether `text` loads as a personas file, and what to tell the owner."""
        if len(text.encode()) > MAX_FILE_BYTES:
            return False, f"The file is larger than {MAX_FILE_BYTES // 1024} KB."
        if REDACTED in text:
            return False, (
                f"The draft still holds {REDACTED} where the file has a secret: edit that "
                "line on the host, or use a ${NAME} reference."
            )
        try:
            book = parse_personas(
                text,
                source="the draft",
                default_name=self._default,
                base=self._path.parent if self._path else Path.cwd(),
            )
        except PersonaFileError as exc:
            return False, str(exc)
        names = ", ".join(p.name for p in book.personas)
        return True, f"It loads: {len(book.personas)} personas ({names})."

    async def save(self, text: str, *, by: int) -> tuple[bool, str]:
        """Save a draft that loads (`by`: the owner, for the log)."""
        ok, said = self.check(text)
        if not ok:
            return False, said
        if self._path is None or not self._writable():
            return False, said + " " + self._where_to_save()
        await asyncio.to_thread(self._write, text)
        logger.info("Owner %s saved the personas file %s from the web pages", by, self._path)
        return True, said + " Saved: the bot uses it from its next start."

    def _where_to_save(self) -> str:
        if self._path is None:
            return (
                "The bot runs on the bundled personas: save the draft as a file and set "
                "PERSONAS_FILE to it."
            )
        return f"{self._path} cannot be written by the bot: save it there yourself."

    def _read(self) -> str:
        if self._path is None:
            return resources.files("bot").joinpath("personas.toml").read_text(encoding="utf-8")
        return self._path.read_text(encoding="utf-8")

    def _writable(self) -> bool:
        path = self._path
        return path is not None and os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)

    def _write(self, text: str) -> None:
        """Whole or not at all: a new file beside it, then renamed over it."""
        assert self._path is not None
        draft = self._path.with_name(f".{self._path.name}.draft")
        draft.write_text(text, encoding="utf-8")
        draft.replace(self._path)
