"""The chat backend's conversations, kept here (the server keeps none): `Database.history`."""

from __future__ import annotations

from storage.records import HistoryMessage
from storage.writes import Repository, commit, write


class HistoryRepository(Repository):
    async def of(self, conversation_id: str) -> list[HistoryMessage]:
        async with self.db.execute(
            "SELECT role, content FROM local_messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ) as cursor:
            rows = await cursor.fetchall()
        return [HistoryMessage(role=row[0], content=row[1]) for row in rows]

    async def append(self, conversation_id: str, messages: list[HistoryMessage]) -> None:
        """Append an exchange in one transaction: a turn is stored entirely or not at all."""
        insert = "INSERT INTO local_messages (conversation_id, role, content) VALUES (?, ?, ?)"
        await commit(
            self.db,
            "save the conversation's history",
            [(insert, (conversation_id, m.role, m.content)) for m in messages],
        )

    async def delete(self, conversation_id: str) -> None:
        await write(
            self.db,
            "delete the conversation's history",
            "DELETE FROM local_messages WHERE conversation_id = ?",
            (conversation_id,),
        )
