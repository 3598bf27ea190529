"""The ledger: what each answered message cost, and the running totals budgets are checked
against (kept by triggers, migration 6). Rows are written in the inbox's own commits — the
reservation with "running", the settlement with "answered" — so metering adds no commit.

One repository of `Database` (`Database.ledger`), behind the `Ledger` protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storage.engines import Statement, now_text
from storage.records import (
    ConversationTurn,
    LedgerRow,
    TokenUsage,
    ToolCounts,
    Totals,
    TotalsKey,
)
from storage.writes import Repository

UPSERT = """
INSERT INTO ledger (chat_id, message_id, topic_id, user_id, guest, conversation_id, backend,
    model, remote_id, state, source, input_tokens, cached_tokens, output_tokens,
    reasoning_tokens, web_searches, containers, audio_seconds, images, cost_micros, priced,
    price_ref, day, month, cache_write_tokens, compactions, file_searches, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (chat_id, message_id) DO UPDATE SET
    topic_id = excluded.topic_id, user_id = excluded.user_id, guest = excluded.guest,
    conversation_id = excluded.conversation_id, backend = excluded.backend,
    model = excluded.model, remote_id = excluded.remote_id, state = excluded.state,
    source = excluded.source, input_tokens = excluded.input_tokens,
    cached_tokens = excluded.cached_tokens, output_tokens = excluded.output_tokens,
    reasoning_tokens = excluded.reasoning_tokens, web_searches = excluded.web_searches,
    containers = excluded.containers, audio_seconds = excluded.audio_seconds,
    images = excluded.images, cost_micros = excluded.cost_micros, priced = excluded.priced,
    price_ref = excluded.price_ref, day = excluded.day, month = excluded.month,
    cache_write_tokens = excluded.cache_write_tokens, compactions = excluded.compactions,
    file_searches = excluded.file_searches,
    updated_at = excluded.updated_at
"""
TOTALS_COLUMNS = (
    "micros, estimated_micros, answers, input_tokens, cached_tokens, output_tokens,"
    " reasoning_tokens, web_searches, containers, audio_seconds, images, compactions,"
    " file_searches"
)


def ledger_statement(row: LedgerRow) -> Statement:
    """The upsert of `row`, for a commit of the inbox's (a reservation, then its settlement)."""
    usage, tools = row.usage, row.tools
    return UPSERT, (
        row.chat_id, row.message_id, row.topic_id, row.user_id, int(row.guest),
        row.conversation_id, row.backend, row.model, row.remote_id, row.state, row.source,
        usage.input_tokens, usage.cached_tokens, usage.output_tokens, usage.reasoning_tokens,
        tools.web_searches, tools.containers, tools.audio_seconds, tools.images,
        row.cost_micros, int(row.priced), row.price_ref, row.day, row.month,
        usage.cache_write_tokens, tools.compactions, tools.file_searches, now_text(),
    )  # fmt: skip


def _totals(row: Sequence[object]) -> Totals:
    micros, estimated, answers, input_, cached, output, reasoning, *tools = (
        int(str(v)) for v in row
    )
    return Totals(
        micros,
        estimated,
        answers,
        TokenUsage(input_, output, cached, reasoning),
        ToolCounts(*tools),
    )


class LedgerRepository(Repository):
    async def totals(self, keys: Iterable[TotalsKey]) -> dict[TotalsKey, Totals]:
        """Settled totals for each key (absent keys: nothing spent)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows = ", ".join("(?, ?, ?)" for _ in wanted)
        params = [part for key in wanted for part in key]
        # One round trip: this runs before every turn.
        rows_found = await self.rows(
            f'SELECT scope, key, "window", {TOTALS_COLUMNS} FROM ledger_totals'
            f' WHERE (scope, key, "window") IN (VALUES {rows})',
            params,
        )
        found = {(r[0], r[1], r[2]): _totals(r[3:]) for r in rows_found}
        return {key: found.get(key, Totals()) for key in wanted}

    async def top(self, scope: str, window: str, limit: int) -> list[tuple[str, Totals]]:
        """The scope's biggest spenders in the window (e.g. the month's top users)."""
        rows = await self.rows(
            f"SELECT key, {TOTALS_COLUMNS} FROM ledger_totals"
            ' WHERE scope = ? AND "window" = ? AND answers > 0 ORDER BY micros DESC LIMIT ?',
            (scope, window, limit),
        )
        return [(str(r[0]), _totals(r[1:])) for r in rows]

    async def conversation_tokens(
        self, chat_id: int, topic_id: int, conversation_id: str, *, compacted_below: int = 0
    ) -> int | None:
        """How large the conversation had grown at its last settled answer (its context). An
        answer that compacted it counts the pass that read all of it; what is left is below
        `compacted_below` (the budget that set it off), when given."""
        rows = await self.rows(
            "SELECT input_tokens + output_tokens, compactions FROM ledger"
            " WHERE chat_id = ? AND topic_id = ? AND conversation_id = ? AND state = 'settled'"
            " ORDER BY updated_at DESC LIMIT 1",
            (chat_id, topic_id, conversation_id),
        )
        for size, compactions in rows:
            if compactions and compacted_below:
                return min(int(size), compacted_below)
            return int(size)
        return None

    async def row(self, chat_id: int, message_id: int) -> LedgerRow | None:
        r = await self.first(
            "SELECT chat_id, message_id, topic_id, user_id, guest, conversation_id, backend,"
            " model, remote_id, state, source, input_tokens, cached_tokens, output_tokens,"
            " reasoning_tokens, cost_micros, priced, price_ref, day, month, cache_write_tokens,"
            " web_searches, containers, audio_seconds, images, compactions, file_searches"
            " FROM ledger WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
        if r is None:
            return None
        return LedgerRow(
            r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8], r[9], r[10],
            TokenUsage(r[11], r[13], r[12], r[14], r[20]), r[15], bool(r[16]), r[17], r[18], r[19],
            ToolCounts(r[21], r[22], r[23], r[24], r[25], r[26]),
        )  # fmt: skip

    async def turns_by_conversation(self, month: str) -> list[ConversationTurn]:
        """The month's settled answers in conversations compacted this month, each
        conversation's in order: what compaction did (the others are not read)."""
        rows = await self.rows(
            "SELECT conversation_id, model, input_tokens, compactions FROM ledger"
            " WHERE month = ? AND state = 'settled' AND conversation_id IN"
            " (SELECT conversation_id FROM ledger WHERE month = ? AND compactions > 0)"
            " ORDER BY conversation_id, created_at, message_id",
            (month, month),
        )
        return [ConversationTurn(str(r[0]), str(r[1]), int(r[2]), bool(r[3])) for r in rows]

    async def settle_orphans(self) -> int:
        """At start: reservations whose message is no longer in the inbox (its turn ended in a
        crash before settling) are settled at their reserved upper bound, marked estimated."""
        written = await self.write(
            "settle reservations left by a crash",
            "UPDATE ledger SET state = 'settled', source = 'estimated' WHERE state = 'reserved'"
            " AND NOT EXISTS (SELECT 1 FROM inbox"
            " WHERE inbox.chat_id = ledger.chat_id AND inbox.message_id = ledger.message_id)",
        )
        return written.rowcount
