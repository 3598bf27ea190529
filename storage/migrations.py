"""The schema's numbered migrations, one ordered list for both engines.

Each step is written once per engine (`storage.migrations_sqlite`, `storage.migrations_postgres`)
where their SQL differs — types, triggers, how a table is changed — and both engines count the
same numbers, so a database made by any version migrates on start on either. Append new steps
to both; never edit one that has shipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.migrations_postgres import POSTGRES
from storage.migrations_sqlite import SQLITE


@dataclass(frozen=True, slots=True)
class Migration:
    sqlite: str
    postgres: str


MIGRATIONS: tuple[Migration, ...] = tuple(
    Migration(sqlite, postgres) for sqlite, postgres in zip(SQLITE, POSTGRES, strict=True)
)
