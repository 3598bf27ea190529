"""Telegram's bot-wide flood budget, shared by every process that sends: `Database.flood`.

Telegram counts ~30 messages a second per bot, not per process; splitting it 30/N per process
wastes what an idle process leaves and still bursts over when their phases line up (measured:
../shared/research/scale.md §4.4). So each scope keeps one number, the earliest time the next
request may go (GCRA with no burst: requests one interval apart), and a process takes its
request's slot in one statement. Times are the database's clock.
"""

from __future__ import annotations

from storage import database_clock as clock
from storage.writes import Repository


class FloodRepository(Repository):
    async def take(self, scope: str, seconds: float) -> float:
        """Take the next slot of `scope` for a request that counts `seconds` (its weight times
        the interval): 0 if taken, else how long until one may be."""
        engine = self._connection.engine.name
        now = clock.epoch(engine)
        written = await self.write(
            "take a place in the flood budget",
            f"UPDATE flood SET tat = {now} + ? WHERE scope = ? AND tat <= {now} RETURNING 1",
            (seconds, scope),
        )
        if written.rows:
            return 0.0
        row = await self.first(f"SELECT tat - {now} FROM flood WHERE scope = ?", (scope,))
        return max(0.001, float(row[0])) if row else 0.0
