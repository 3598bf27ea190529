"""Files, per conversation: those the bot uploaded to the model's server (so nothing is left
behind: deleted with the conversation on /reset, /persona, purge), and the documents users gave
it (Telegram file ids, so a tool can fetch them again).

`Database.files`.
"""

from __future__ import annotations

from storage.records import Attachment, ChatKey
from storage.writes import Repository, write


class RemoteFileRepository(Repository):
    async def added(
        self, backend: str, conversation_id: str, file_id: str, kind: str = "file"
    ) -> None:
        """Register an upload (kind "file") or a container (kind "container")."""
        await write(
            self.db,
            "register an uploaded file",
            "INSERT OR IGNORE INTO remote_files (backend, file_id, conversation_id, kind)"
            " VALUES (?, ?, ?, ?)",
            (backend, file_id, conversation_id, kind),
        )

    async def of(self, backend: str, conversation_id: str) -> list[tuple[str, str]]:
        """(id, kind) of what the conversation left on the server, oldest first."""
        async with self.db.execute(
            "SELECT file_id, kind FROM remote_files WHERE backend = ? AND conversation_id = ?"
            " ORDER BY created_at",
            (backend, conversation_id),
        ) as cursor:
            return [(str(row[0]), str(row[1])) for row in await cursor.fetchall()]

    async def deleted(self, backend: str, file_id: str) -> None:
        await write(
            self.db,
            "forget a deleted upload",
            "DELETE FROM remote_files WHERE backend = ? AND file_id = ?",
            (backend, file_id),
        )

    async def count(self) -> int:
        async with self.db.execute("SELECT count(*) FROM remote_files") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def chat_files_added(
        self, key: ChatKey, conversation_id: str, attachments: tuple[Attachment, ...]
    ) -> None:
        for a in attachments:
            await write(
                self.db,
                "note a document",
                "INSERT OR REPLACE INTO chat_files (chat_id, topic_id, conversation_id,"
                " file_unique_id, file_id, kind, name, mime, size, message_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key.chat_id, key.topic_id, conversation_id, a.file_unique_id, a.file_id,
                    a.kind, a.filename, a.mime, a.size, a.message_id,
                ),
            )  # fmt: skip

    async def chat_files(self, key: ChatKey, conversation_id: str) -> list[Attachment]:
        """The documents this conversation was given, oldest first."""
        async with self.db.execute(
            "SELECT kind, file_id, file_unique_id, message_id, size, mime, name FROM chat_files"
            " WHERE chat_id = ? AND topic_id = ? AND conversation_id = ? ORDER BY created_at",
            (key.chat_id, key.topic_id, conversation_id),
        ) as cursor:
            return [Attachment(*row) for row in await cursor.fetchall()]

    async def chat_files_forgotten(self, key: ChatKey) -> None:
        """The chat's conversation was replaced or deleted: its documents go with it."""
        await write(
            self.db,
            "forget a chat's documents",
            "DELETE FROM chat_files WHERE chat_id = ? AND topic_id = ?",
            (key.chat_id, key.topic_id),
        )
