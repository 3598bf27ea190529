"""Each chat's status: allowed or refused (groups), reachable or not, its language.

`Database.chat_status`."""

from __future__ import annotations

from storage.engines import now_text
from storage.records import ChatLanguage
from storage.writes import Repository


class ChatStatusRepository(Repository):
    async def allowed(self, chat_id: int) -> bool | None:
        """Whether the chat was allowed (True) or refused (False); None if never decided."""
        row = await self.first("SELECT allowed FROM chat_status WHERE chat_id = ?", (chat_id,))
        return None if row is None or row[0] is None else bool(row[0])

    async def set_allowed(self, chat_id: int, allowed: bool) -> None:
        await self.write(
            "save whether the chat is allowed",
            "INSERT INTO chat_status (chat_id, allowed) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET allowed = excluded.allowed",
            (chat_id, int(allowed)),
        )

    async def active(self, chat_id: int) -> bool:
        row = await self.first("SELECT active FROM chat_status WHERE chat_id = ?", (chat_id,))
        return row is None or bool(row[0])

    async def set_active(self, chat_id: int, active: bool) -> None:
        """Inactive: the bot was removed or blocked; kept until /reset or the retention period
        (counted from the first time it was found inactive)."""
        await self.write(
            "save whether the chat is reachable",
            """
            INSERT INTO chat_status (chat_id, active, inactive_since) VALUES (?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET
                active = excluded.active,
                inactive_since = CASE
                    WHEN excluded.active = 1 THEN NULL
                    ELSE COALESCE(chat_status.inactive_since, excluded.inactive_since)
                END
            """,
            (chat_id, int(active), None if active else now_text()),
        )

    async def language(self, chat_id: int) -> ChatLanguage:
        row = await self.first(
            "SELECT language, joined_language FROM chat_status WHERE chat_id = ?", (chat_id,)
        )
        return ChatLanguage() if row is None else ChatLanguage(row[0], row[1])

    async def set_language(self, chat_id: int, language: str | None) -> None:
        """The chat's own choice of language; None goes back to choosing automatically."""
        await self.write(
            "save the chat's language",
            "INSERT INTO chat_status (chat_id, language) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language",
            (chat_id, language),
        )

    async def set_joined_language(self, chat_id: int, language: str) -> None:
        await self.write(
            "save the chat's language",
            "INSERT INTO chat_status (chat_id, joined_language) VALUES (?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET joined_language = excluded.joined_language",
            (chat_id, language),
        )
