"""The ledger: rows written in the inbox's commits, totals kept by triggers, one row a message;
and the meter's budget windows against it."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.backends import TurnResult, TurnStatus
from bot.usage.budgets import BudgetHit, BudgetRules, Limit
from bot.usage.meter import CostMeter, Reservation
from bot.usage.prices import load_prices
from bot.usage.turn_prices import TurnPrices
from storage import ChatKey, LedgerRow, TokenUsage, ToolCounts, Totals
from storage.database import Database
from storage.ledger_triggers import rebuild_totals
from storage.migrations import MIGRATIONS

DAY, MONTH = "2026-12-02", "2026-12"


def row(message_id: int, cost: int, *, user: int | None = 7, state: str = "settled") -> LedgerRow:
    return LedgerRow(
        chat_id=-100, message_id=message_id, topic_id=0, user_id=user, guest=False,
        conversation_id="conv_1", backend="responses", model="gpt-6-luna", remote_id=None,
        state=state, source="reported" if state == "settled" else "reserved",  # type: ignore[arg-type]
        usage=TokenUsage(1000, 200, cached_tokens=600, reasoning_tokens=50), cost_micros=cost,
        priced=True, price_ref="bundled", day=DAY, month=MONTH,
    )  # fmt: skip


def schema_at(version: int, path: Path) -> sqlite3.Connection:
    """A database as an older bot left it: the first `version` migrations applied."""
    db = sqlite3.connect(path)
    for migration in MIGRATIONS[:version]:
        db.executescript(migration.sqlite)
    db.execute(f"PRAGMA user_version = {version}")
    return db


async def test_a_reservation_does_not_count_and_its_settlement_counts_once(
    store: Database,
) -> None:
    entry = await store.inbox.add(ChatKey(-100), message_id=1, private=False, text="hi")
    assert entry is not None
    await store.inbox.running(entry.id, "conv_1", None, row(1, 900, state="reserved"))
    keys = [("total", "", f"D{DAY}"), ("user", "7", f"M{MONTH}"), ("chat", "-100", f"D{DAY}")]
    assert set((await store.ledger.totals(keys)).values()) == {Totals()}

    await store.inbox.answered(entry.id, "{}", row(1, 120))
    await store.inbox.answered(entry.id, "{}", row(1, 150))  # resumed: replaces, not adds

    totals = await store.ledger.totals(keys)
    usage = TokenUsage(1000, 200, cached_tokens=600, reasoning_tokens=50)
    assert set(totals.values()) == {Totals(150, 0, 1, usage)}
    assert await store.ledger.conversation_tokens(-100, 0, "conv_1") == 1200
    assert await store.ledger.conversation_tokens(-100, 0, "conv_1", compacted_below=900) == 1200

    # An answer that compacted the conversation: what is left is below the budget.
    compacted = replace(row(1, 150), tools=ToolCounts(compactions=1))
    await store.inbox.answered(entry.id, "{}", compacted)
    assert await store.ledger.conversation_tokens(-100, 0, "conv_1", compacted_below=900) == 900
    assert await store.ledger.conversation_tokens(-100, 0, "conv_1") == 1200


async def test_top_spenders_and_models_come_from_the_totals(store: Database) -> None:
    for n, (user, cost) in enumerate([(1, 10), (2, 30), (1, 25), (3, 5)]):
        entry = await store.inbox.add(ChatKey(-100), message_id=n, private=False, text="x")
        assert entry is not None
        await store.inbox.answered(entry.id, "{}", row(n, cost, user=user))

    top = await store.ledger.top("user", f"M{MONTH}", 2)
    [(model, by_model)] = await store.ledger.top("model", f"D{DAY}", 5)

    assert [(user, t.micros, t.answers) for user, t in top] == [("1", 35, 2), ("2", 30, 1)]
    assert (model, by_model.micros, by_model.answers) == ("gpt-6-luna", 70, 4)


async def test_a_group_upgrade_moves_its_spend(store: Database) -> None:
    entry = await store.inbox.add(ChatKey(-100), message_id=1, private=False, text="x")
    assert entry is not None
    await store.inbox.answered(entry.id, "{}", row(1, 40))
    await store.chats.move(-100, -1009)

    old, new = ("chat", "-100", f"M{MONTH}"), ("chat", "-1009", f"M{MONTH}")
    totals = await store.ledger.totals([old, new])

    assert (totals[old].micros, totals[new].micros) == (0, 40)


async def test_a_reservation_left_by_a_crash_settles_at_its_bound(store: Database) -> None:
    entry = await store.inbox.add(ChatKey(-100), message_id=1, private=False, text="x")
    assert entry is not None
    await store.inbox.running(entry.id, "conv_1", None, row(1, 900, state="reserved"))
    kept = await store.inbox.add(ChatKey(-100), message_id=2, private=False, text="y")
    assert kept is not None
    await store.inbox.running(kept.id, "conv_1", None, row(2, 800, state="reserved"))
    await store.inbox.done(entry.id)  # its turn is gone; message 2 will be resumed

    assert await store.ledger.settle_orphans() == 1

    settled = await store.ledger.row(-100, 1)
    assert settled is not None and (settled.state, settled.source) == ("settled", "estimated")
    resumed = await store.ledger.row(-100, 2)
    assert resumed is not None and resumed.state == "reserved"


async def test_token_counts_from_before_the_ledger_move_in(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with schema_at(5, path) as db:
        db.execute(
            "INSERT INTO usage (chat_id, topic_id, response_id, model, input_tokens, output_tokens,"
            " created_at) VALUES (42, 0, 'resp_1', 'gpt-6-luna', 300, 40, '2026-11-30T10:00:00Z')"
        )

    async with Database(path) as store:
        moved = await store.ledger.row(42, -1)
        totals = await store.ledger.totals([("chat", "42", "M2026-11")])

    assert moved is not None and (moved.usage.input_tokens, moved.usage.output_tokens) == (300, 40)
    assert moved.source == "reported" and moved.user_id is None
    assert totals[("chat", "42", "M2026-11")].answers == 1


async def test_a_new_day_in_the_budget_s_zone_starts_a_fresh_daily_budget(store: Database) -> None:
    clock = [datetime(2026, 12, 2, 2, 0, tzinfo=UTC).timestamp()]  # 23:00 the day before there
    rules = BudgetRules(per_user=Limit(day=600), timezone=ZoneInfo("America/Sao_Paulo"))
    meter = CostMeter(
        store.ledger, TurnPrices(load_prices(None, local=False), "gpt-6-luna"), rules,
        backend="responses", max_output_tokens=None, owners=frozenset(),
        members=lambda _: True, clock=lambda: clock[0],
    )  # fmt: skip

    async def ask(message_id: int) -> Reservation | BudgetHit:
        entry = await store.inbox.add(ChatKey(5), message_id=message_id, private=True,
                                      text="hello", user_id=5)  # fmt: skip
        assert entry is not None
        reserved = await meter.reserve(entry, None, "Be brief.", force=False)
        if isinstance(reserved, Reservation):
            result = TurnResult(TurnStatus.COMPLETED, "x", usage=TokenUsage(100, 1000))
            settled = meter.settle(reserved, result, written="x", started=True,
                                   conversation_id="conv_1")  # fmt: skip
            await store.inbox.answered(entry.id, "{}", settled)
            meter.release(reserved)
        return reserved

    first = await ask(1)
    refused = await ask(2)  # the same evening: $0.0005 of $0.0006 spent
    clock[0] += 2 * 3600  # 01:00 the next day in São Paulo
    again = await ask(3)

    assert isinstance(first, Reservation) and first.row.day == "2026-12-01"
    assert isinstance(refused, BudgetHit)
    assert refused.resets_at == datetime(2026, 12, 2, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert isinstance(again, Reservation) and again.row.day == "2026-12-02"


async def test_the_totals_count_the_tools_each_answer_used(store: Database) -> None:
    tools = ToolCounts(web_searches=2, containers=1, audio_seconds=30, images=1, compactions=1)
    for n in (1, 2):
        entry = await store.inbox.add(ChatKey(-100), message_id=n, private=False, text="x")
        assert entry is not None
        await store.inbox.answered(entry.id, "{}", replace(row(n, 10), tools=tools))
    entry = await store.inbox.add(ChatKey(-100), message_id=3, private=False, text="x")
    assert entry is not None
    await store.inbox.answered(entry.id, "{}", row(3, 10))  # no tools
    await store.inbox.answered(entry.id, "{}", replace(row(3, 10), tools=tools))  # resumed

    keys = [("total", "", f"M{MONTH}"), ("user", "7", f"D{DAY}"), ("chat", "-100", f"M{MONTH}")]
    totals = await store.ledger.totals(keys)

    assert {t.tools for t in totals.values()} == {ToolCounts(6, 3, 90, 3, 3)}


async def test_the_triggers_totals_are_what_counting_the_ledger_again_gives(
    store: Database,
) -> None:
    """Each engine's trigger against one plain recount (also what a bulk load runs after)."""
    tools = ToolCounts(web_searches=1, file_searches=2)
    for n, user in enumerate((7, 8, None, 7), start=1):
        entry = await store.inbox.add(ChatKey(-100 - n % 2), message_id=n, private=False, text="x")
        assert entry is not None
        await store.inbox.running(
            entry.id, "conv_1", None, row(n, 900, user=user, state="reserved")
        )
        await store.inbox.answered(entry.id, "{}", replace(row(n, 10 * n, user=user), tools=tools))
    settled_twice = await store.inbox.add(ChatKey(-100), message_id=9, private=False, text="x")
    assert settled_twice is not None
    await store.inbox.answered(settled_twice.id, "{}", row(9, 5))
    await store.inbox.answered(settled_twice.id, "{}", replace(row(9, 7), model="other"))
    everything = "SELECT * FROM ledger_totals WHERE answers != 0 ORDER BY 1, 2, 3"
    kept = await store.engine.rows(everything)

    postgres = store.engine.name == "postgresql"
    await store.engine.commit(
        "count again", [(sql, ()) for sql in rebuild_totals(postgres=postgres)]
    )

    assert await store.engine.rows(everything) == kept
    assert len(kept) == 2 * (1 + 1 + 2 + 2)  # total, the chat, 2 users, 2 models; day and month


async def test_tool_counts_from_before_the_totals_had_them_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with schema_at(9, path) as db:
        db.execute(
            "INSERT INTO ledger (chat_id, message_id, topic_id, user_id, backend, model, state,"
            " source, input_tokens, output_tokens, cost_micros, priced, day, month, web_searches,"
            " containers, images, created_at, updated_at) VALUES (42, 1, 0, 42, 'responses',"
            " 'gpt-6-luna', 'settled', 'reported', 10, 5, 100, 1, ?, ?, 3, 1, 2, '', '')",
            (DAY, MONTH),
        )

    async with Database(path) as store:
        totals = await store.ledger.totals(
            [("user", "42", f"M{MONTH}"), ("model", "gpt-6-luna", f"D{DAY}")]
        )

    assert {(t.micros, t.tools) for t in totals.values()} == {(100, ToolCounts(3, 1, 0, 2))}


async def test_a_database_from_before_compaction_counts_compactions_from_then_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    with schema_at(10, path) as db:
        db.execute(
            "INSERT INTO ledger (chat_id, message_id, topic_id, user_id, backend, model, state,"
            " source, input_tokens, output_tokens, cost_micros, priced, day, month, images,"
            " created_at, updated_at) VALUES (-100, 1, 0, 7, 'responses', 'gpt-6-luna',"
            " 'settled', 'reported', 10, 5, 100, 1, ?, ?, 1, '', '')",
            (DAY, MONTH),
        )

    async with Database(path) as store:
        entry = await store.inbox.add(ChatKey(-100), message_id=2, private=False, text="x")
        assert entry is not None
        compacted = replace(row(2, 50), tools=ToolCounts(compactions=1))
        await store.inbox.answered(entry.id, "{}", compacted)
        totals = await store.ledger.totals([("user", "7", f"M{MONTH}")])
        again = await store.ledger.row(-100, 2)

    assert [(t.micros, t.tools) for t in totals.values()] == [
        (150, ToolCounts(images=1, compactions=1))
    ]
    assert again is not None and again.tools.compactions == 1


async def test_after_a_compaction_the_next_turn_reserves_for_the_compacted_conversation(
    store: Database,
) -> None:
    # The compacting answer's usage counts the pass that read the whole conversation; the next
    # turn's upper bound is what is left of it (below the budget), not that.
    meter = CostMeter(
        store.ledger, TurnPrices(load_prices(None, local=False), "gpt-6-luna"),
        BudgetRules(), backend="responses", max_output_tokens=None, owners=frozenset(),
        members=lambda _: True, context_budget=8000,
    )  # fmt: skip

    async def turn(message_id: int, result: TurnResult) -> Reservation:
        entry = await store.inbox.add(ChatKey(5), message_id=message_id, private=True,
                                      text="hello", user_id=5)  # fmt: skip
        assert entry is not None
        reserved = await meter.reserve(entry, "conv_1", "Be brief.", force=False)
        assert isinstance(reserved, Reservation)
        meter.settle(reserved, result, written="x", started=True, conversation_id="conv_1")
        meter.release(reserved)
        return reserved

    big = TurnResult(TurnStatus.COMPLETED, "x", usage=TokenUsage(15_000, 500))
    await turn(1, big)
    uncompacted = await turn(2, replace(big, tools_used=ToolCounts(compactions=1)))
    after = await turn(3, big)

    assert uncompacted.row.usage.input_tokens > 15_000  # it had grown past the budget
    assert 8000 < after.row.usage.input_tokens < 8100  # the budget and the new message
