"""The ledger: rows written in the inbox's commits, totals kept by triggers, one row a message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage import ChatKey, ConversationStore, LedgerRow, TokenUsage, Totals
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


async def test_a_reservation_does_not_count_and_its_settlement_counts_once(
    tmp_path: Path,
) -> None:
    async with ConversationStore(tmp_path / "db.sqlite3") as store:
        entry = await store.inbox_add(ChatKey(-100), message_id=1, private=False, text="hi")
        assert entry is not None
        await store.inbox_running(entry.id, "conv_1", None, row(1, 900, state="reserved"))
        keys = [("total", "", f"D{DAY}"), ("user", "7", f"M{MONTH}"), ("chat", "-100", f"D{DAY}")]
        assert set((await store.totals(keys)).values()) == {Totals()}

        await store.inbox_answered(entry.id, "{}", row(1, 120))
        await store.inbox_answered(entry.id, "{}", row(1, 150))  # resumed: replaces, not adds

        totals = await store.totals(keys)
        usage = TokenUsage(1000, 200, cached_tokens=600, reasoning_tokens=50)
        assert set(totals.values()) == {Totals(150, 0, 1, usage)}
        assert await store.conversation_tokens(-100, 0, "conv_1") == 1200


async def test_top_spenders_and_models_come_from_the_totals(tmp_path: Path) -> None:
    async with ConversationStore(tmp_path / "db.sqlite3") as store:
        for n, (user, cost) in enumerate([(1, 10), (2, 30), (1, 25), (3, 5)]):
            entry = await store.inbox_add(ChatKey(-100), message_id=n, private=False, text="x")
            assert entry is not None
            await store.inbox_answered(entry.id, "{}", row(n, cost, user=user))

        top = await store.top("user", f"M{MONTH}", 2)
        [(model, by_model)] = await store.top("model", f"D{DAY}", 5)

    assert [(user, t.micros, t.answers) for user, t in top] == [("1", 35, 2), ("2", 30, 1)]
    assert (model, by_model.micros, by_model.answers) == ("gpt-6-luna", 70, 4)


async def test_a_group_upgrade_moves_its_spend(tmp_path: Path) -> None:
    async with ConversationStore(tmp_path / "db.sqlite3") as store:
        entry = await store.inbox_add(ChatKey(-100), message_id=1, private=False, text="x")
        assert entry is not None
        await store.inbox_answered(entry.id, "{}", row(1, 40))
        await store.move_chat(-100, -1009)

        old, new = ("chat", "-100", f"M{MONTH}"), ("chat", "-1009", f"M{MONTH}")
        totals = await store.totals([old, new])

    assert (totals[old].micros, totals[new].micros) == (0, 40)


async def test_a_reservation_left_by_a_crash_settles_at_its_bound(tmp_path: Path) -> None:
    async with ConversationStore(tmp_path / "db.sqlite3") as store:
        entry = await store.inbox_add(ChatKey(-100), message_id=1, private=False, text="x")
        assert entry is not None
        await store.inbox_running(entry.id, "conv_1", None, row(1, 900, state="reserved"))
        kept = await store.inbox_add(ChatKey(-100), message_id=2, private=False, text="y")
        assert kept is not None
        await store.inbox_running(kept.id, "conv_1", None, row(2, 800, state="reserved"))
        await store.inbox_done(entry.id)  # its turn is gone; message 2 will be resumed

        assert await store.settle_orphans() == 1

        settled = await store.ledger_row(-100, 1)
        assert settled is not None and (settled.state, settled.source) == ("settled", "estimated")
        resumed = await store.ledger_row(-100, 2)
        assert resumed is not None and resumed.state == "reserved"


async def test_token_counts_from_before_the_ledger_move_in(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        for script in MIGRATIONS[:5]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 5")
        db.execute(
            "INSERT INTO usage (chat_id, topic_id, response_id, model, input_tokens, output_tokens,"
            " created_at) VALUES (42, 0, 'resp_1', 'gpt-6-luna', 300, 40, '2026-11-30T10:00:00Z')"
        )

    async with ConversationStore(path) as store:
        moved = await store.ledger_row(42, -1)
        totals = await store.totals([("chat", "42", "M2026-11")])

    assert moved is not None and (moved.usage.input_tokens, moved.usage.output_tokens) == (300, 40)
    assert moved.source == "reported" and moved.user_id is None
    assert totals[("chat", "42", "M2026-11")].answers == 1
