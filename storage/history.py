"""The chat backend's conversations, kept here (the server keeps none): `Database.history`."""

from __future__ import annotations

from storage.engines import Statement
from storage.records import HistoryMessage
from storage.writes import Repository


class HistoryRepository(Repository):
    async def of(self, conversation_id: str) -> list[HistoryMessage]:
        rows = await self.rows(
            "SELECT role, content FROM local_messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [HistoryMessage(role=row[0], content=row[1]) for row in rows]

    async def append(self, conversation_id: str, messages: list[HistoryMessage]) -> None:
        """Append an exchange in one transaction: a turn is stored entirely or not at all."""
        insert = "INSERT INTO local_messages (conversation_id, role, content) VALUES (?, ?, ?)"
        await self.commit(
            "save the conversation's history",
            [(insert, (conversation_id, m.role, m.content)) for m in messages],
        )

    async def compact(self, conversation_id: str, folded: int, summary: str) -> None:
        """Replace the summary (if any) and the `folded` oldest messages after it by `summary`,
        first in the conversation, in one transaction: a crash keeps the old or the new."""
        rows = await self.rows(
            "SELECT id, role FROM local_messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        replaced = int(bool(rows) and rows[0][1] == "summary") + folded
        ids = [int(row[0]) for row in rows[:replaced]]
        if not ids:
            return
        statements: list[Statement] = [
            ("UPDATE local_messages SET role = 'summary', content = ? WHERE id = ?",
             (summary, ids[0])),
            *(("DELETE FROM local_messages WHERE id = ?", (i,)) for i in ids[1:]),
        ]  # fmt: skip
        await self.commit("compact the conversation's history", statements)

    async def delete(self, conversation_id: str) -> None:
        await self.write(
            "delete the conversation's history",
            "DELETE FROM local_messages WHERE conversation_id = ?",
            (conversation_id,),
        )
