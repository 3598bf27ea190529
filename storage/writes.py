"""Each write commits whole or not at all, and says in words why it could not.

A failed statement (disk full, read-only file, a lock held too long) would otherwise leave
sqlite3's implicit transaction open, so the next, unrelated commit would write half of this one.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import aiosqlite

from storage.records import StorageUnavailable

Statement = tuple[str, Sequence[Any]]


class Connected(Protocol):
    """Whatever holds the database's one connection (the `Database`)."""

    @property
    def db(self) -> aiosqlite.Connection: ...


class Repository:
    """One concern's queries over the database's one connection (opened later than built)."""

    def __init__(self, connection: Connected) -> None:
        self._connection = connection

    @property
    def db(self) -> aiosqlite.Connection:
        return self._connection.db


async def commit(
    db: aiosqlite.Connection, what: str, statements: Iterable[Statement]
) -> aiosqlite.Cursor:
    """Run `statements` (at least one) in one transaction; the last one's cursor.

    Raises StorageUnavailable ("cannot <what>: <SQLite's reason>") after rolling back.
    """
    cursor: aiosqlite.Cursor | None = None
    try:
        for sql, params in statements:
            cursor = await db.execute(sql, params)
        await db.commit()
    except sqlite3.Error as exc:
        await _rollback(db)
        raise StorageUnavailable(f"cannot {what}: {exc}") from exc
    except BaseException:  # cancelled mid-transaction: leave nothing half-done behind
        await _rollback(db)
        raise
    assert cursor is not None, "commit() needs a statement"
    return cursor


async def _rollback(db: aiosqlite.Connection) -> None:
    with contextlib.suppress(sqlite3.Error, ValueError):  # ValueError: the connection closed
        await db.rollback()


async def write(
    db: aiosqlite.Connection, what: str, sql: str, params: Sequence[Any] = ()
) -> aiosqlite.Cursor:
    """One statement, committed (see `commit`)."""
    return await commit(db, what, [(sql, params)])
