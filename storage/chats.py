"""Which remote conversation and persona each chat (and forum topic) uses: `Database.chats`."""

from __future__ import annotations

from datetime import timedelta

from storage.engines import now_text
from storage.records import ChatKey, ChatRecord
from storage.writes import Repository


class ChatRepository(Repository):
    async def get(self, key: ChatKey) -> ChatRecord | None:
        row = await self.first(
            "SELECT backend, conversation_id, persona FROM chats"
            " WHERE chat_id = ? AND topic_id = ?",
            (key.chat_id, key.topic_id),
        )
        if row is None:
            return None
        return ChatRecord(key=key, backend=row[0], conversation_id=row[1], persona=row[2])

    async def by_persona(self) -> dict[str, list[int]]:
        """The chats (and topics: a chat once per topic) using each persona, the most recently
        active first (the owner's personas page)."""
        rows = await self.rows("SELECT persona, chat_id FROM chats ORDER BY updated_at DESC")
        found: dict[str, list[int]] = {}
        for persona, chat_id in rows:
            found.setdefault(str(persona), []).append(int(chat_id))
        return found

    async def save(self, record: ChatRecord) -> None:
        """Insert or replace the chat's row; committed before this returns."""
        await self.write(
            "save the chat's conversation",
            """
            INSERT INTO chats (chat_id, topic_id, backend, conversation_id, persona)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (chat_id, topic_id) DO UPDATE SET
                backend = excluded.backend,
                conversation_id = excluded.conversation_id,
                persona = excluded.persona,
                updated_at = ?
            """,
            (
                record.key.chat_id,
                record.key.topic_id,
                record.backend,
                record.conversation_id,
                record.persona,
                now_text(),
            ),
        )

    async def delete(self, key: ChatKey) -> None:
        await self.write(
            "delete the chat's conversation",
            "DELETE FROM chats WHERE chat_id = ? AND topic_id = ?",
            (key.chat_id, key.topic_id),
        )

    async def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its conversations, usage and status follow it."""
        if await self.first("SELECT 1 FROM chats WHERE chat_id = ?", (new_chat_id,)) is not None:
            return  # already moved (the service message and the send error both report it)
        moved = (new_chat_id, old_chat_id)
        await self.commit(
            "move the chat's conversations",
            [
                ("UPDATE chats SET chat_id = ? WHERE chat_id = ?", moved),
                ("UPDATE ledger SET chat_id = ? WHERE chat_id = ?", moved),
                # The new chat may have a status already (its first update can be handled
                # while the old one's migration is): it keeps what it has, the old fills in.
                (
                    "INSERT INTO chat_status (chat_id, allowed, active, inactive_since, language,"
                    " joined_language) SELECT ?, allowed, active, inactive_since, language,"
                    " joined_language FROM chat_status WHERE chat_id = ?"
                    " ON CONFLICT (chat_id) DO UPDATE SET"
                    " allowed = COALESCE(chat_status.allowed, excluded.allowed),"
                    " language = COALESCE(chat_status.language, excluded.language),"
                    " joined_language = COALESCE(chat_status.joined_language,"
                    " excluded.joined_language)",
                    moved,
                ),
                ("DELETE FROM chat_status WHERE chat_id = ?", (old_chat_id,)),
            ],
        )

    async def inactive_for(self, days: int) -> list[ChatRecord]:
        """Conversations of chats that have been inactive for at least `days` days."""
        rows = await self.rows(
            """
            SELECT c.chat_id, c.topic_id, c.backend, c.conversation_id, c.persona
            FROM chats c JOIN chat_status s ON s.chat_id = c.chat_id
            WHERE s.active = 0 AND s.inactive_since <= ?
            """,
            (now_text(timedelta(days=days)),),
        )
        return [ChatRecord(ChatKey(r[0], r[1]), r[2], r[3], r[4]) for r in rows]
