"""The calls a turn made to the owner's tools, kept with its inbox entry: `Database.calls`.

A call is written as started before it runs and with its output once it ends, so a turn
resumed after a restart finds the output instead of calling again, and a call that was cut
short is known as such (the entry's deletion forgets them: ON DELETE CASCADE).
"""

from __future__ import annotations

from storage.engines import now_text
from storage.records import LoggedCall
from storage.writes import Repository


class FunctionCallRepository(Repository):
    async def of(self, entry_id: int, call_key: str) -> LoggedCall | None:
        row = await self.first(
            "SELECT state, output FROM function_calls WHERE entry_id = ? AND call_key = ?",
            (entry_id, call_key),
        )
        return LoggedCall(row[0], row[1]) if row else None

    async def started(self, entry_id: int, call_key: str) -> None:
        await self.write(
            "note the tool call",
            "INSERT INTO function_calls (entry_id, call_key, state) VALUES (?, ?, 'started')"
            " ON CONFLICT (entry_id, call_key) DO UPDATE SET state = 'started', output = NULL",
            (entry_id, call_key),
        )

    async def finished(self, entry_id: int, call_key: str, output: str) -> None:
        await self.write(
            "keep the tool call's output",
            "INSERT INTO function_calls (entry_id, call_key, state, output)"
            " VALUES (?, ?, 'done', ?) ON CONFLICT (entry_id, call_key)"
            " DO UPDATE SET state = 'done', output = excluded.output,"
            " updated_at = ?",
            (entry_id, call_key, output, now_text()),
        )
