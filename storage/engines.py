"""What a repository needs of a database engine, whichever it is: read rows, commit statements.

The repositories write their SQL once, in the subset both engines speak (`?` parameters,
`INSERT … ON CONFLICT`, `RETURNING`, times as ISO-8601 UTC text passed in as parameters); an
engine (`storage.sqlite_engine`, `storage.postgres_engine`) runs it and turns its own failures
into StorageUnavailable, so nothing above storage knows which one runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol, TypeAlias

Statement = tuple[str, Sequence[Any]]
Row = tuple[Any, ...]
EngineName: TypeAlias = Literal["sqlite", "postgresql"]


@dataclass(frozen=True, slots=True)
class Written:
    """What the last statement of a commit did: rows it changed, rows it returned."""

    rowcount: int
    rows: list[Row]


class Engine(Protocol):
    """One database: opened once, migrated on open, shared by every repository."""

    name: EngineName

    @property
    def where(self) -> str:
        """The database, for a log line (a path; a server address without its password)."""
        ...

    async def open(self) -> None:
        """Connect and migrate; StorageUnavailable says why it cannot be used."""
        ...

    async def close(self) -> None: ...

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def commit(self, what: str, statements: Iterable[Statement]) -> Written:
        """Run `statements` (at least one) in one transaction, whole or not at all.

        Raises StorageUnavailable ("cannot <what>: <the engine's reason>")."""
        ...


def utc_text(moment: datetime) -> str:
    """A time as both engines keep and compare it: ISO 8601 in UTC, to the millisecond."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_text(ago: timedelta = timedelta(0)) -> str:
    """Now (or `ago` before now), as `utc_text` writes it."""
    return utc_text(datetime.now(UTC) - ago)
