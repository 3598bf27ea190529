"""Telegram's bot-wide flood budget, shared by every process that sends: `Database.flood`.

Telegram counts ~30 messages a second per bot, not per process; splitting it 30/N per process
wastes what an idle process leaves and still bursts over when their phases line up (measured:
../shared/research/scale.md §4.4). So each scope keeps one number, the earliest time the next
request may go (GCRA with no burst: requests one interval apart). A process either reserves
the next few slots in one statement (a request that will wait for its turn) or takes one only
if it is free now (typing, which is skipped rather than queued). Times are the database's clock.
"""

from __future__ import annotations

from storage import database_clock as clock
from storage.writes import Repository

_LATER_OF = {"sqlite": "max", "postgresql": "greatest"}


class FloodRepository(Repository):
    async def reserve(self, scope: str, seconds: float) -> float:
        """Reserve the next `seconds` of `scope` (slots times the interval): how long until
        the reservation starts (0: now). Always succeeds; the waiting is the caller's."""
        engine = self._connection.engine.name
        now = clock.epoch(engine)
        written = await self.write(
            "reserve places in the flood budget",
            f"UPDATE flood SET tat = {_LATER_OF[engine]}(tat, {now}) + ? WHERE scope = ?"
            f" RETURNING tat - ? - {now}",
            (seconds, scope, seconds),
        )
        return max(0.0, float(written.rows[0][0])) if written.rows else 0.0

    async def take(self, scope: str, seconds: float) -> bool:
        """Take the next slot of `scope` for a request that counts `seconds`, only if it is
        free now: whether it was."""
        engine = self._connection.engine.name
        now = clock.epoch(engine)
        written = await self.write(
            "take a place in the flood budget",
            f"UPDATE flood SET tat = {now} + ? WHERE scope = ? AND tat <= {now} RETURNING 1",
            (seconds, scope),
        )
        return bool(written.rows)
