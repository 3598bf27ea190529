"""The ledger's cost: what metering adds to a turn, and `/usage all` over a million rows.

Goals (issue 15): metering adds at most 1 ms to a turn at the median, with its rows written in
the inbox's own commits (no commit of its own); `/usage all` answers in at most 50 ms over a
ledger of one million rows. Run by `./run.sh bench` (or `--only ledger`), on a real SQLite file.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.databases import Databases
from bot.backends import TurnResult, TurnStatus
from bot.usage.budgets import BudgetRules, Limit
from bot.usage.meter import CostMeter, Reservation
from bot.usage.prices import load_prices
from bot.usage.reports import UsageReports
from bot.usage.turn_prices import TurnPrices
from storage import ChatKey, TokenUsage
from storage.database import Database
from storage.ledger_triggers import rebuild_totals
from storage.postgres_engine import PostgresEngine
from storage.sqlite_engine import SqliteEngine

TURNS = 2000
ROWS = 1_000_000


def p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def per_turn(store: Database) -> dict[str, float]:
    """A turn's inbox commits with and without metering (reserve, settle, the ledger rows)."""
    prices = load_prices(None, local=False)
    rules = BudgetRules(
        total=Limit(day=10**12), per_chat=Limit(day=10**11), per_user=Limit(day=10**10)
    )
    meter = CostMeter(store.ledger, TurnPrices(prices, "gpt-6-luna"), rules, backend="responses",
                  max_output_tokens=None, owners=frozenset(), members=lambda _: True)  # fmt: skip
    result = TurnResult(TurnStatus.COMPLETED, "hi", "resp_1", TokenUsage(900, 120, 600, 0))
    plain: list[float] = []
    metered: list[float] = []
    for n in range(TURNS):
        key = ChatKey(1000 + n % 200)
        conversation = f"conv_{key.chat_id}"
        entry = await store.inbox.add(
            key, message_id=n, private=True, text="hello " * 20, user_id=key.chat_id
        )
        assert entry is not None
        started = time.perf_counter()
        if n % 2:
            reservation = await meter.reserve(entry, conversation, "Be helpful.", force=False)
            assert isinstance(reservation, Reservation)
            await store.inbox.running(entry.id, conversation, "resp_1", reservation.row)
            settled = meter.settle(
                reservation, result, written="hi", started=True, conversation_id=conversation
            )
            await store.inbox.answered(entry.id, "{}", settled)
            meter.release(reservation)
            metered.append(time.perf_counter() - started)
        else:
            await store.inbox.running(entry.id, conversation, "resp_1")
            await store.inbox.answered(entry.id, "{}")
            plain.append(time.perf_counter() - started)
        await store.inbox.done(entry.id)
    return {
        "plain_p50_ms": p50(plain),
        "metered_p50_ms": p50(metered),
        "added_p50_ms": p50(metered) - p50(plain),
    }


async def fill(store: Database, rows: int) -> float:
    """`rows` settled ledger rows over a month: 5,000 people, 800 chats, 4 models."""
    rng = random.Random(7)
    models = ["gpt-6-luna", "gpt-6-sol", "gpt-6.1-terra", "gpt-6-astra"]
    started = time.perf_counter()
    batch = []
    for n in range(rows):
        day = f"2026-12-{1 + n % 28:02d}"
        usage_in = rng.randint(200, 40_000)
        batch.append((-(1 + n % 800), n, rng.randint(1, 5000), models[n % 4], usage_in,
                      usage_in // 2, rng.randint(20, 900), rng.randint(1, 3000), day))  # fmt: skip
        if len(batch) == 20_000:
            await insert_many(store, batch)
            batch.clear()
    if batch:
        await insert_many(store, batch)
    await totals_again(store)
    return time.perf_counter() - started


async def insert_many(store: Database, batch: Sequence[tuple[object, ...]]) -> None:
    """One batch of ledger rows, in one transaction, as fast as each engine takes them."""
    engine = store.engine
    if isinstance(engine, SqliteEngine):
        await engine.connection.executemany(INSERT, batch)
        await engine.connection.commit()
        return
    assert isinstance(engine, PostgresEngine)
    # COPY, around the trigger (a million rows through it would take half an hour here); the
    # totals are counted again from the ledger once it is full (`totals_again`).
    async with engine.pool.connection() as connection, connection.transaction():
        await connection.execute("ALTER TABLE ledger DISABLE TRIGGER ledger_settled")
        async with connection.cursor().copy(COPY) as copy:
            for row in batch:
                await copy.write_row((*row, *CONSTANT))
        await connection.execute("ALTER TABLE ledger ENABLE TRIGGER ledger_settled")


async def totals_again(store: Database) -> None:
    """The running totals of a ledger filled around its trigger (PostgreSQL only)."""
    if isinstance(store.engine, PostgresEngine):
        statements = rebuild_totals(postgres=True)
        await store.engine.commit("count the totals", [(sql, ()) for sql in statements])


CONSTANT = ("2026-12", "responses", "settled", "reported")  # month, backend, state, source
COPY = (
    "COPY ledger (chat_id, message_id, user_id, model, input_tokens, cached_tokens,"
    " output_tokens, cost_micros, day, month, backend, state, source) FROM STDIN"
)
INSERT = (
    "INSERT INTO ledger (chat_id, message_id, user_id, model, input_tokens, cached_tokens,"
    " output_tokens, cost_micros, day, month, backend, state, source)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-12', 'responses', 'settled', 'reported')"
)


async def report_time(store: Database) -> float:
    prices = load_prices(None, local=False)
    rules = BudgetRules(total=Limit(month=10**9))
    meter = CostMeter(store.ledger, TurnPrices(prices, "gpt-6-luna"), rules,
                  backend="responses", max_output_tokens=None, owners=frozenset(),
                  members=lambda _: True,
                  clock=lambda: 1796212800.0)  # 2026-12-02, inside the filled month  # fmt: skip
    reports = UsageReports(store.chats, store.ledger, meter, prices)
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        await reports.owner_report()
        samples.append(time.perf_counter() - started)
    return p50(samples)


async def main(where: Databases) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as workdir:
        async with Database(where.engine(Path(workdir) / "bench.sqlite3")) as store:
            figures = await per_turn(store)
        async with Database(where.engine(Path(workdir) / "million.sqlite3")) as store:
            figures["fill_s"] = await fill(store, ROWS)
            figures["usage_all_p50_ms"] = await report_time(store)
    return figures


def run(where: Databases | None = None) -> dict[str, float]:
    where = where or Databases()
    figures = asyncio.run(main(where))
    print(
        f"ledger ({where.name}): a turn's inbox commits {figures['plain_p50_ms']:.2f} ms p50"
        f" without metering, {figures['metered_p50_ms']:.2f} ms with it"
        f" (added {figures['added_p50_ms']:.2f} ms;"
        f" goal <= {1 if where.name == 'sqlite' else 2} ms); /usage all over {ROWS:,} rows"
        f" {figures['usage_all_p50_ms']:.1f} ms p50"
        f" (goal <= 50 ms; filled in {figures['fill_s']:.0f} s)"
    )
    return figures


if __name__ == "__main__":
    run()
