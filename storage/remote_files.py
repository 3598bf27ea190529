"""Files the bot uploaded to the model's server, per conversation: nothing is left behind.

A part of `ConversationStore` (which mixes it in). The backend registers each upload before
using it, and deletes a conversation's files with the conversation (/reset, /persona, purge).
"""

from __future__ import annotations

import aiosqlite

from storage.writes import write


class RemoteFileQueries:
    @property
    def db(self) -> aiosqlite.Connection:
        raise NotImplementedError

    async def remote_file_added(self, backend: str, conversation_id: str, file_id: str) -> None:
        await write(
            self.db,
            "register an uploaded file",
            "INSERT OR IGNORE INTO remote_files (backend, file_id, conversation_id)"
            " VALUES (?, ?, ?)",
            (backend, file_id, conversation_id),
        )

    async def remote_files_of(self, backend: str, conversation_id: str) -> list[str]:
        async with self.db.execute(
            "SELECT file_id FROM remote_files WHERE backend = ? AND conversation_id = ?"
            " ORDER BY created_at",
            (backend, conversation_id),
        ) as cursor:
            return [str(row[0]) for row in await cursor.fetchall()]

    async def remote_file_deleted(self, backend: str, file_id: str) -> None:
        await write(
            self.db,
            "forget a deleted upload",
            "DELETE FROM remote_files WHERE backend = ? AND file_id = ?",
            (backend, file_id),
        )

    async def remote_file_count(self) -> int:
        async with self.db.execute("SELECT count(*) FROM remote_files") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
