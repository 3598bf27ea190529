"""A persona's knowledge: its folder of documents, kept on the model's server for file search.

At start-up each folder is read and hashed, and the backend makes its copy match — uploading
only what was added or changed. Two personas naming one folder share one copy. A folder that
cannot be synced leaves its personas answering without it (a log line says why).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Literal

from bot.backends import Backend, BackendError, KnowledgeFile
from bot.personas import Persona, PersonaBook

logger = logging.getLogger(__name__)

# What file search reads (OpenAI's list); other files in the folder are skipped, and said so.
SEARCHABLE = frozenset(
    {
        ".c", ".cpp", ".cs", ".css", ".doc", ".docx", ".go", ".html", ".java", ".js", ".json",
        ".md", ".pdf", ".php", ".pptx", ".py", ".rb", ".sh", ".tex", ".ts", ".txt",
    }
)  # fmt: skip


# Why a document cannot join a persona's knowledge, or "ok".
Learnable = Literal["ok", "no_knowledge", "not_searchable", "unsupported"]


@dataclass(frozen=True, slots=True)
class Library:
    """A knowledge folder as the chats see it: its name, how many documents, and the handle
    a turn searches it by (None until synced, or where the backend cannot search)."""

    name: str
    documents: int  # those the backend can search
    handle: str | None
    searched: frozenset[str] = frozenset()  # their paths in the folder

    def searches(self, path: str) -> bool:
        return path in self.searched


def read_folder(folder: Path) -> tuple[tuple[KnowledgeFile, ...], tuple[str, ...]]:
    """The folder's searchable documents (hidden files left out) and the names skipped.
    Blocking: run it in a thread."""
    found: list[KnowledgeFile] = []
    skipped: list[str] = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix.lower() not in SEARCHABLE:
            skipped.append(relative.as_posix())
            continue
        with path.open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        found.append(KnowledgeFile(relative.as_posix(), digest, path.stat().st_size, path))
    return tuple(found), tuple(skipped)


class Knowledge:
    """The personas' knowledge folders and their copies on the server."""

    def __init__(self, backend: Backend, personas: PersonaBook) -> None:
        self._backend = backend
        # Resolved once (a resolve is file-system calls; a library is looked up every turn).
        self._folder_of = {p.name: p.knowledge.resolve() for p in personas.personas if p.knowledge}
        self._folders = set(self._folder_of.values())
        self._libraries: dict[Path, Library] = {}

    async def sync(self) -> None:
        """Make the server's copy of every folder match it (one folder at a time)."""
        for folder in sorted(self._folders):
            self._libraries[folder] = await self._sync(folder)

    def learnable(self, persona: Persona, name: str) -> Learnable:
        """Whether a document called `name` can join the persona's knowledge (`/learn`)."""
        if persona.knowledge is None:
            return "no_knowledge"
        library = self.library(persona)
        if library is None or library.handle is None:
            return "not_searchable"
        safe = PurePath(name).name
        if not safe or safe.startswith(".") or PurePath(safe).suffix.lower() not in SEARCHABLE:
            return "unsupported"
        return "ok"

    async def learn(self, persona: Persona, name: str, data: bytes) -> Library:
        """Save the document in the persona's folder (replacing one of the same name) and
        sync the folder: only the new document goes to the server."""
        folder = self._folder_of[persona.name]  # learnable() said it has one
        target = folder / PurePath(name).name
        await asyncio.to_thread(target.write_bytes, data)
        logger.info("Knowledge %s: %s added from Telegram", folder.name, target.name)
        self._libraries[folder] = await self._sync(folder)
        return self._libraries[folder]

    def library(self, persona: Persona) -> Library | None:
        folder = self._folder_of.get(persona.name)
        if folder is None:
            return None
        return self._libraries.get(folder, Library(folder.name, 0, None))

    async def _sync(self, folder: Path) -> Library:
        files, skipped = await asyncio.to_thread(read_folder, folder)
        if skipped:
            logger.warning(
                "Knowledge %s: %d files are not documents file search reads (%s): skipped",
                folder.name,
                len(skipped),
                ", ".join(skipped[:5]) + ("…" if len(skipped) > 5 else ""),
            )
        name = f"{folder.name}-{hashlib.sha256(str(folder).encode()).hexdigest()[:8]}"
        try:
            copy = await self._backend.sync_knowledge(name, files)
        except BackendError as exc:
            logger.error("Knowledge %s could not be synced (%s): answered without it", name, exc)
            return Library(folder.name, len(files), None)
        if copy is None:
            logger.warning(
                "Knowledge %s is not searchable on the %s backend (the line before says why, "
                "where there is one): its personas answer without it",
                folder.name,
                self._backend.name,
            )
            return Library(folder.name, len(files), None)
        return Library(folder.name, len(copy.searched), copy.handle, frozenset(copy.searched))
