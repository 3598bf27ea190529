"""The base of every repository: one concern's queries, run by whichever engine is open.

A repository is built before its database is opened (the composition root wires them first),
so it asks for the engine at each call; each write commits whole or not at all and says in
words why it could not (`Engine.commit`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from storage.engines import Engine, Row, Statement, Written


class Connected(Protocol):
    """Whatever holds the open engine (the `Database`)."""

    @property
    def engine(self) -> Engine: ...

    def guard(self) -> None:
        """Before a write: raises (or stops the process) if this process may no longer write."""
        ...


class Repository:
    def __init__(self, connection: Connected) -> None:
        self._connection = connection

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._connection.engine.rows(sql, params)

    async def first(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return next(iter(await self.rows(sql, params)), None)

    async def commit(self, what: str, statements: Iterable[Statement]) -> Written:
        """Run `statements` in one transaction (see `Engine.commit`)."""
        self._connection.guard()
        return await self._connection.engine.commit(what, statements)

    async def write(self, what: str, sql: str, params: Sequence[Any] = ()) -> Written:
        """One statement, committed."""
        return await self.commit(what, [(sql, params)])
