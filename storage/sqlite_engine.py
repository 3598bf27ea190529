"""The embedded engine: one SQLite file in WAL mode, one connection, migrated on open.

A failed statement (disk full, read-only file, a lock held too long) would otherwise leave
sqlite3's implicit transaction open, so the next, unrelated commit would write half of this
one: every commit rolls back whatever it could not finish. Commits take turns (a lock): on the
one connection, another task's commit between two of this one's statements would otherwise
commit the first of them alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from storage.engines import EngineName, Row, Statement, Written
from storage.migrations import MIGRATIONS
from storage.records import StorageUnavailable

logger = logging.getLogger("storage.database")
RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


class SqliteEngine:
    name: EngineName = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: aiosqlite.Connection | None = None
        self._writing = asyncio.Lock()

    @property
    def where(self) -> str:
        return str(self.path)

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the database is not open")
        return self._db

    async def open(self) -> None:
        if self._db is not None:
            return
        try:
            await self._open()
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise StorageUnavailable(f"cannot use the database at {self.path}: {exc}") from exc

    async def _open(self) -> None:
        if self.path != Path(":memory:"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a crash of the bot (what the inbox needs), without an
        # fsync per commit; only a power cut can lose the last moments.
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("PRAGMA busy_timeout=5000")
        await self._db.execute("PRAGMA foreign_keys=ON")
        await self._migrate()

    async def _migrate(self) -> None:
        db = self.connection
        async with db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            if version:  # a new database's migrations are no news: one line below says it
                logger.info("Applying database migration %d", number)
            await db.executescript(
                f"BEGIN;\n{migration.sqlite}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        if not version:
            logger.info("Created the database at %s (schema %d)", self.path, len(MIGRATIONS))

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        # One round trip to SQLite's thread (execute_fetchall).
        return [tuple(r) for r in await self.connection.execute_fetchall(sql, params)]

    async def commit(self, what: str, statements: Iterable[Statement]) -> Written:
        async with self._writing:
            return await self._commit(what, statements)

    async def _commit(self, what: str, statements: Iterable[Statement]) -> Written:
        db = self.connection
        written: Written | None = None
        try:
            for sql, params in statements:
                written = await self._run(db, sql, params)
            assert written is not None, "commit() needs a statement"
            await db.commit()
        except sqlite3.Error as exc:
            await self._rollback()
            raise StorageUnavailable(f"cannot {what}: {exc}") from exc
        except BaseException:  # cancelled mid-transaction: leave nothing half-done behind
            await self._rollback()
            raise
        return written

    @staticmethod
    async def _run(db: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> Written:
        if RETURNING.search(sql):
            # Stepped to its end in one hop to SQLite's thread: a statement left half-read
            # would make another task's commit fail ("SQL statements in progress").
            rows = [tuple(r) for r in await db.execute_fetchall(sql, params)]
            return Written(len(rows), rows)
        cursor = await db.execute(sql, params)
        return Written(cursor.rowcount, [])

    async def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error, ValueError):  # ValueError: the connection closed
            await self.connection.rollback()
