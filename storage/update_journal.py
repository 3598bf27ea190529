"""The journal of updates Telegram delivered by webhook: `Database.journal`.

Telegram is told 200 only once an update is here, so a process that dies after answering the
request loses nothing; the update's id is the key, so a delivery Telegram repeats (it does, after
a timeout or a 5xx) is recognised and ignored. Rows are kept as `done` for a day after they were
handled — Telegram may repeat an update for up to 24 hours, and a forgotten one would be
answered twice — then forgotten by the process that answers (`forget_done`).
"""

from __future__ import annotations

from datetime import timedelta

from storage.engines import now_text
from storage.writes import Repository

KEPT_FOR = timedelta(hours=25)  # Telegram's retention of an update, and an hour to spare


class UpdateJournalRepository(Repository):
    async def record(self, update_id: int, chat_id: int, body: str) -> bool:
        """Keep an update (its JSON as sent); False if it was already here."""
        written = await self.write(
            "keep an update",
            "INSERT INTO tg_updates (update_id, chat_id, body) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, chat_id, body),
        )
        return bool(written.rows)

    async def record_many(self, updates: list[tuple[int, int, str]]) -> int:
        """Keep a batch of updates (id, chat id, body) in one transaction: how many were new."""
        if not updates:
            return 0
        statement = (
            "INSERT INTO tg_updates (update_id, chat_id, body) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO NOTHING"
        )
        await self.commit("keep updates", [(statement, update) for update in updates])
        return len(updates)

    async def pending(self, limit: int = 1000) -> list[tuple[int, int, str]]:
        """Updates not yet handled, oldest first: (update id, chat id, body)."""
        rows = await self.rows(
            "SELECT update_id, chat_id, body FROM tg_updates WHERE state = 'pending'"
            " ORDER BY update_id LIMIT ?",
            (limit,),
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    async def done(self, update_id: int) -> None:
        await self.done_many([update_id])

    async def done_many(self, update_ids: list[int]) -> None:
        """Mark handled, in one statement per 500."""
        for start in range(0, len(update_ids), 500):
            chunk = update_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            await self.write(
                "mark updates handled",
                f"UPDATE tg_updates SET state = 'done' WHERE update_id IN ({marks})",
                chunk,
            )

    async def waiting(self) -> int:
        row = await self.first("SELECT count(*) FROM tg_updates WHERE state = 'pending'")
        return int(row[0]) if row else 0

    async def forget_done(self) -> int:
        """Forget handled updates older than Telegram would repeat them; how many."""
        written = await self.write(
            "forget handled updates",
            "DELETE FROM tg_updates WHERE state = 'done' AND received_at < ?",
            (now_text(KEPT_FOR),),
        )
        return written.rowcount
