"""Moving a SQLite bot to PostgreSQL: every table copied into an empty database, then counted.

Run with the bot stopped (the copy is of one moment). Both databases are first brought to this
version's schema by opening them, so a file from any older version moves; the copy then runs in
one PostgreSQL transaction — interrupted, it leaves the target empty, ready to try again. The
ledger's running totals are copied as they are (the trigger that keeps them is off during the
copy, or every settled row would be counted a second time) and checked against the ledger.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from storage.database import Database
from storage.postgres_engine import PostgresEngine, describe

# In an order that satisfies the foreign keys (function_calls → inbox).
TABLES = (
    "settings", "chats", "chat_status", "local_messages", "inbox", "function_calls", "ledger",
    "ledger_totals", "remote_files", "chat_files", "knowledge_passages",
)  # fmt: skip
IDENTITIES = ("inbox", "local_messages")  # their next id must follow the copied ones
BATCH = 5000


class CopyError(Exception):
    """The copy could not be made; the message says why (nothing was written)."""


@dataclass(frozen=True, slots=True)
class Copied:
    counts: dict[str, int]  # rows per table, the same on both sides
    warning: str | None = None  # something the owner should know (the copy was kept)

    @property
    def conversations(self) -> int:
        return self.counts["chats"]


def copy_to_postgres(source: Path, url: str) -> Copied:
    if not source.is_file():
        raise CopyError(f"there is no database at {source}")
    asyncio.run(_migrate(source, url))
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        with psycopg.connect(url) as target:
            _refuse_if_used(target, url)
            with target.transaction():
                target.execute("ALTER TABLE ledger DISABLE TRIGGER ledger_settled")
                for table in TABLES:
                    _copy_table(reader, target, table)
                for table in IDENTITIES:
                    target.execute(
                        sql.SQL(
                            "SELECT setval(pg_get_serial_sequence({t}, 'id'),"
                            " COALESCE(max(id), 0) + 1, false) FROM {table}"
                        ).format(t=sql.Literal(table), table=sql.Identifier(table))
                    )
                target.execute("ALTER TABLE ledger ENABLE TRIGGER ledger_settled")
                counts = _verified_counts(reader, target)
                warning = _totals_warning(target)
    except (sqlite3.Error, psycopg.Error) as exc:
        raise CopyError(str(exc)) from exc
    finally:
        reader.close()
    return Copied(counts, warning)


async def _migrate(source: Path, url: str) -> None:
    async with Database(source), Database(PostgresEngine(url)):
        pass


def _refuse_if_used(target: psycopg.Connection[tuple[object, ...]], url: str) -> None:
    for table in ("chats", "inbox", "ledger", "local_messages"):
        found = target.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table)))
        if found.fetchone() is not None:
            raise CopyError(
                f"{describe(url)} already holds a bot's data (table {table} is not empty): "
                "copy into an empty database"
            )


def _copy_table(
    reader: sqlite3.Connection, target: psycopg.Connection[tuple[object, ...]], table: str
) -> None:
    columns = [row[1] for row in reader.execute(f"PRAGMA table_info({table})")]
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    copy = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)
    with target.cursor().copy(copy) as stream:
        for rows in _batches(reader, f"SELECT {', '.join(map(_quoted, columns))} FROM {table}"):
            for row in rows:
                stream.write_row(row)


def _quoted(column: str) -> str:
    return f'"{column}"'


def _batches(reader: sqlite3.Connection, query: str) -> Iterator[list[tuple[object, ...]]]:
    cursor = reader.execute(query)
    while rows := cursor.fetchmany(BATCH):
        yield rows


def _verified_counts(
    reader: sqlite3.Connection, target: psycopg.Connection[tuple[object, ...]]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in TABLES:
        (theirs,) = reader.execute(f"SELECT count(*) FROM {table}").fetchone()
        found = target.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        ours = found.fetchone()
        if ours is None or int(str(ours[0])) != int(theirs):
            raise CopyError(f"{table}: {theirs} rows in SQLite, {ours} copied; nothing was kept")
        counts[table] = int(theirs)
    return counts


def _totals_warning(target: psycopg.Connection[tuple[object, ...]]) -> str | None:
    """The totals came over as they were; if SQLite's had drifted from its ledger, say so."""
    check = (
        "SELECT COALESCE(sum(cost_micros), 0) FROM ledger WHERE state = 'settled'",
        "SELECT COALESCE(sum(micros), 0) FROM ledger_totals WHERE scope = 'total'"
        " AND \"window\" LIKE 'M%'",
    )
    spent, totals = (target.execute(q).fetchone() for q in check)
    if spent == totals:
        return None
    return f"the running totals (${_dollars(totals)}) differ from the ledger (${_dollars(spent)})"


def _dollars(row: tuple[object, ...] | None) -> str:
    return f"{int(str(row[0])) / 1e6:.2f}" if row else "?"
