"""The server engine: PostgreSQL through psycopg 3 and a psycopg-pool pool of connections.

Chosen over asyncpg (faster, but a second API and `$1` parameters; at Telegram's 30 messages a
second speed is not what limits) because one driver serves the async bot and the sync commands
(backup, migrate-to-postgres), and LISTEN/NOTIFY is there for several processes.

What it promises the repositories, beyond the statements themselves:
- the server down at start is `StorageUnreachable` (the bot waits and tries again); a wrong
  password or a missing database is `StorageUnavailable` (the owner must fix the URL);
- a connection found dead before a transaction sent anything (the server restarted since it
  was last used) makes the pool check its others, and the transaction runs again: a restart
  costs no failed write, and no round trip is spent checking connections beforehand;
- while the server is away a write fails within `timeout` seconds (the storage sentence), and
  the pool gives a reconnection up after `RECONNECT_SECONDS`, so the next use starts a fresh
  one (its own back-off doubles without a ceiling: 10 s to recover after a 20-s outage,
  `scale.md` §4.7);
- a serialization failure or deadlock is retried, never shown;
- the password in `DATABASE_URL` appears in no message it raises.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from storage.engines import EngineName, Row, Statement, Written
from storage.migrations import MIGRATIONS
from storage.records import StorageUnavailable, StorageUnreachable

logger = logging.getLogger("storage.database")

RECONNECT_SECONDS = 2.0  # the pool gives up a reconnection after this; the next use starts anew
RETRIES = 5  # a transaction that lost a serialization race or a deadlock runs again
MIGRATION_LOCK = 7_305_121  # pg_advisory_xact_lock key: one process migrates at a time
_RETRIED = (errors.SerializationFailure, errors.DeadlockDetected)
# What no waiting cures: bad credentials (SQLSTATE class 28), no such database (3D). A refused
# connection carries no SQLSTATE, only the server's FATAL message, so those are read too.
_PERMANENT = ("28", "3D")
_REFUSED = re.compile(
    r"FATAL:.*(does not exist|authentication failed|no pg_hba\.conf entry|permission denied)"
)


class _StaleConnection(Exception):
    """A pooled connection was dead before the transaction sent anything."""


def placeholders(statement: str) -> str:
    """SQL written for both engines (`?` parameters) in psycopg's style (`%s`; `%` doubled);
    a `?` or `%` inside a quoted string is left as it is."""
    out: list[str] = []
    quoted = False
    for char in statement:
        if char == "'":
            quoted = not quoted
        if char == "?" and not quoted:
            out.append("%s")
        elif char == "%" and not quoted:
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def describe(url: str) -> str:
    """`DATABASE_URL` as a log line may show it: user, host, port and database, no password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the PostgreSQL server in DATABASE_URL (unreadable)"
    where = f"{parts.get('host') or 'localhost'}:{parts.get('port') or 5432}"
    return f"postgresql://{parts.get('user') or ''}@{where}/{parts.get('dbname') or ''}"


class PostgresEngine:
    name: EngineName = "postgresql"

    def __init__(self, url: str, *, pool_size: int = 10, timeout: float = 3.0) -> None:
        self._url = url
        self._password = str(conninfo_to_dict(url).get("password") or "")
        self._pool_size = pool_size
        self._timeout = timeout
        self._pool: AsyncConnectionPool | None = None
        self._sql: dict[str, str] = {}

    @property
    def where(self) -> str:
        return describe(self._url)

    async def open(self) -> None:
        if self._pool is not None:
            return
        try:
            async with await psycopg.AsyncConnection.connect(
                self._url, connect_timeout=max(1, round(self._timeout)), autocommit=True
            ) as first:
                await self._migrate(first)
        except psycopg.Error as exc:
            raise self._unavailable(f"cannot use the database at {self.where}", exc) from exc
        pool: AsyncConnectionPool = AsyncConnectionPool(
            self._url,
            min_size=1,
            max_size=self._pool_size,
            kwargs={"autocommit": True, "connect_timeout": max(1, round(self._timeout))},
            timeout=self._timeout,
            reconnect_timeout=RECONNECT_SECONDS,
            name="telethread",
            open=False,
        )
        await pool.open()
        self._pool = pool

    async def _migrate(self, connection: psycopg.AsyncConnection[Any]) -> None:
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            cursor = await connection.execute("SELECT max(version) FROM schema_version")
            found = await cursor.fetchone()
            version = int(found[0]) if found and found[0] is not None else 0
            for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
                if version:
                    logger.info("Applying database migration %d", number)
                await connection.execute(migration.postgres)
            if version < len(MIGRATIONS):
                await connection.execute("DELETE FROM schema_version")
                await connection.execute(
                    "INSERT INTO schema_version (version) VALUES (%s)", (len(MIGRATIONS),)
                )
        if not version:
            logger.info("Created the database at %s (schema %d)", self.where, len(MIGRATIONS))

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            raise RuntimeError("the database is not open")
        return self._pool

    async def rows(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        """One read, outside a transaction (BEGIN and COMMIT would be two more round trips);
        a read changes nothing, so one that met a dead connection simply runs again."""
        for attempt in (1, 2):
            try:
                async with self.pool.connection() as connection:
                    cursor = await connection.execute(self._psycopg(statement), params)
                    return [tuple(r) for r in await cursor.fetchall()]
            except psycopg.OperationalError as exc:
                if attempt == 2 or isinstance(exc, PoolTimeout):
                    raise self._unavailable("cannot read the database", exc) from exc
                await self.pool.check()
            except psycopg.Error as exc:
                raise self._unavailable("cannot read the database", exc) from exc
        raise AssertionError("unreachable")

    async def commit(self, what: str, statements: Iterable[Statement]) -> Written:
        batch = list(statements)
        assert batch, "commit() needs a statement"
        stale_seen = False
        for attempt in range(1, RETRIES + 1):
            try:
                return await self._transaction(batch)
            except _StaleConnection as stale:
                # The server restarted since the connection was last used: nothing was sent,
                # so once the pool has dropped its dead connections the work runs again.
                if stale_seen:
                    raise self._unavailable(f"cannot {what}", stale.__cause__ or stale) from stale
                stale_seen = True
                await self.pool.check()
            except _RETRIED as exc:
                if attempt == RETRIES:
                    raise self._unavailable(f"cannot {what}", exc) from exc
                logger.debug("Retrying a transaction (%s)", type(exc).__name__)
                await asyncio.sleep(random.uniform(0.005, 0.05) * attempt)
            except psycopg.Error as exc:
                raise self._unavailable(f"cannot {what}", exc) from exc
        raise AssertionError("unreachable")

    async def _transaction(self, batch: list[Statement]) -> Written:
        """One transaction on a pooled connection; `_StaleConnection` if the connection was
        found dead before anything reached the server (so running it again is safe)."""
        sent = False
        try:
            async with self.pool.connection() as connection, connection.transaction():
                cursor = connection.cursor()
                for statement, params in batch:
                    await cursor.execute(self._psycopg(statement), params)
                    sent = True
                returned = [tuple(r) for r in await cursor.fetchall()] if cursor.description else []
                return Written(cursor.rowcount, returned)
        except psycopg.OperationalError as exc:
            if sent or isinstance(exc, (PoolTimeout, *_RETRIED)):
                raise
            raise _StaleConnection from exc

    def _psycopg(self, statement: str) -> str:
        translated = self._sql.get(statement)
        if translated is None:
            translated = self._sql[statement] = placeholders(statement)
        return translated

    def _unavailable(self, what: str, exc: BaseException) -> StorageUnavailable:
        """The storage error for `exc`, worded for a log line, with no password in it."""
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if self._password:
            reason = reason.replace(self._password, "***")
        state = getattr(exc, "sqlstate", None) or ""
        permanent = state.startswith(_PERMANENT) or _REFUSED.search(reason) is not None
        if isinstance(exc, psycopg.OperationalError) and not permanent:
            return StorageUnreachable(f"{what}: the database server is not answering ({reason})")
        return StorageUnavailable(f"{what}: {reason}")
