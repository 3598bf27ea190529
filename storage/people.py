"""People the owners let in from the web pages, on top of ALLOWED_USERS (which stays the floor:
it is never written here), and strangers who wrote to the bot, so an owner sees who asked and
can let them in: `Database.people`."""

from __future__ import annotations

from datetime import datetime

from storage import database_clock as clock
from storage.records import PersonRecord
from storage.writes import Repository

LISTED = 200  # the people page shows at most this many (the most recent first)


class PeopleRepository(Repository):
    async def asked(self, user_id: int, first_name: str, username: str | None) -> None:
        """A stranger wrote to the bot (their name as Telegram gave it, kept up to date)."""
        now = clock.now(self._connection.engine.name)
        await self.write(
            "note who asked to talk",
            "INSERT INTO people (user_id, first_name, username, asks, asked_at)"
            f" VALUES (?, ?, ?, 1, {now})"
            " ON CONFLICT (user_id) DO UPDATE SET first_name = excluded.first_name,"
            " username = excluded.username, asks = people.asks + 1, asked_at = excluded.asked_at",
            (user_id, first_name, username),
        )

    async def allowed(self, user_id: int) -> bool:
        row = await self.first("SELECT allowed FROM people WHERE user_id = ?", (user_id,))
        return row is not None and bool(row[0])

    async def set_allowed(self, user_id: int, allowed: bool) -> None:
        await self.write(
            "save who may talk to the bot",
            "INSERT INTO people (user_id, allowed) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET allowed = excluded.allowed",
            (user_id, int(allowed)),
        )

    async def allowed_ids(self) -> frozenset[int]:
        """Everyone an owner let in (the budgets count them as members)."""
        rows = await self.rows("SELECT user_id FROM people WHERE allowed = 1")
        return frozenset(int(r[0]) for r in rows)

    async def listing(self) -> list[PersonRecord]:
        """Those let in, then those who asked, each the most recent first."""
        rows = await self.rows(
            "SELECT user_id, first_name, username, allowed, asks, asked_at FROM people"
            " WHERE allowed = 1 OR asks > 0"
            " ORDER BY allowed DESC, asked_at DESC NULLS LAST, user_id LIMIT ?",
            (LISTED,),
        )
        return [
            PersonRecord(int(r[0]), str(r[1]), r[2], bool(r[3]), int(r[4]), _minute(r[5]))
            for r in rows
        ]


def _minute(value: object) -> str | None:
    """A time as both engines return it (text, or a datetime), to the minute, in UTC."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return text.replace("T", " ")[:16]
