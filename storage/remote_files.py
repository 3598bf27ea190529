"""Files, per conversation: those the bot uploaded to the model's server (so nothing is left
behind: deleted with the conversation on /reset, /persona, purge), and the documents users gave
it (Telegram file ids, so a tool can fetch them again).

`Database.files`.
"""

from __future__ import annotations

from storage.records import Attachment, ChatKey
from storage.writes import Repository


class RemoteFileRepository(Repository):
    async def added(
        self, backend: str, conversation_id: str, file_id: str, kind: str = "file"
    ) -> None:
        """Register an upload (kind "file") or a container (kind "container")."""
        await self.write(
            "register an uploaded file",
            "INSERT INTO remote_files (backend, file_id, conversation_id, kind)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (backend, file_id) DO NOTHING",
            (backend, file_id, conversation_id, kind),
        )

    async def of(self, backend: str, conversation_id: str) -> list[tuple[str, str]]:
        """(id, kind) of what the conversation left on the server, oldest first."""
        rows = await self.rows(
            "SELECT file_id, kind FROM remote_files WHERE backend = ? AND conversation_id = ?"
            " ORDER BY created_at",
            (backend, conversation_id),
        )
        return [(str(row[0]), str(row[1])) for row in rows]

    async def deleted(self, backend: str, file_id: str) -> None:
        await self.write(
            "forget a deleted upload",
            "DELETE FROM remote_files WHERE backend = ? AND file_id = ?",
            (backend, file_id),
        )

    async def count(self) -> int:
        row = await self.first("SELECT count(*) FROM remote_files")
        return int(row[0]) if row else 0

    async def chat_files_added(
        self, key: ChatKey, conversation_id: str, attachments: tuple[Attachment, ...]
    ) -> None:
        for a in attachments:
            await self.write(
                "note a document",
                "INSERT INTO chat_files (chat_id, topic_id, conversation_id, file_unique_id,"
                " file_id, kind, name, mime, size, message_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id, topic_id, conversation_id, file_unique_id) DO UPDATE SET"
                " file_id = excluded.file_id, kind = excluded.kind, name = excluded.name,"
                " mime = excluded.mime, size = excluded.size, message_id = excluded.message_id",
                (
                    key.chat_id, key.topic_id, conversation_id, a.file_unique_id, a.file_id,
                    a.kind, a.filename, a.mime, a.size, a.message_id,
                ),
            )  # fmt: skip

    async def chat_files(self, key: ChatKey, conversation_id: str) -> list[Attachment]:
        """The documents this conversation was given, oldest first."""
        rows = await self.rows(
            "SELECT kind, file_id, file_unique_id, message_id, size, mime, name FROM chat_files"
            " WHERE chat_id = ? AND topic_id = ? AND conversation_id = ? ORDER BY created_at",
            (key.chat_id, key.topic_id, conversation_id),
        )
        return [Attachment(*row) for row in rows]

    async def chat_files_forgotten(self, key: ChatKey) -> None:
        """The chat's conversation was replaced or deleted: its documents go with it."""
        await self.write(
            "forget a chat's documents",
            "DELETE FROM chat_files WHERE chat_id = ? AND topic_id = ?",
            (key.chat_id, key.topic_id),
        )
