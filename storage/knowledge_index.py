"""The passages of the personas' documents with their embeddings, for retrieval in the bot
(servers without file search): `Database.knowledge`. A document is replaced whole, in one
transaction, when its hash changes."""

from __future__ import annotations

from storage.engines import Statement
from storage.records import IndexedPassage
from storage.writes import Repository


class KnowledgeIndexRepository(Repository):
    async def documents(self, library: str) -> dict[str, str]:
        """The library's documents: path → sha256."""
        rows = await self.rows(
            "SELECT DISTINCT path, sha256 FROM knowledge_passages WHERE library = ?", (library,)
        )
        return {str(r[0]): str(r[1]) for r in rows}

    async def passages(self, library: str) -> list[IndexedPassage]:
        rows = await self.rows(
            "SELECT path, text, embedding FROM knowledge_passages WHERE library = ?"
            " ORDER BY path, number",
            (library,),
        )
        return [IndexedPassage(str(r[0]), str(r[1]), bytes(r[2])) for r in rows]

    async def replace(
        self, library: str, path: str, sha256: str, passages: list[tuple[str, bytes]]
    ) -> None:
        """The document's passages, instead of those of its earlier version."""
        statements: list[Statement] = [
            ("DELETE FROM knowledge_passages WHERE library = ? AND path = ?", (library, path)),
            *(
                (
                    "INSERT INTO knowledge_passages"
                    " (library, path, sha256, number, text, embedding) VALUES (?, ?, ?, ?, ?, ?)",
                    (library, path, sha256, n, text, embedding),
                )
                for n, (text, embedding) in enumerate(passages)
            ),
        ]
        await self.commit("keep the document's passages", statements)

    async def remove(self, library: str, path: str) -> None:
        await self.write(
            "forget the document",
            "DELETE FROM knowledge_passages WHERE library = ? AND path = ?",
            (library, path),
        )
