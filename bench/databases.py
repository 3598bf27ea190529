"""Where the benchmark's bots keep their state: a SQLite file each (the default), or a database
each on a throwaway PostgreSQL cluster started for the run (`--database postgres`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from storage.database import engine_for
from storage.engines import Engine
from tests.servers.postgres import PostgresCluster


@dataclass(frozen=True)
class Databases:
    """Hands out a fresh database per bot: `env` for a bot process, `engine` for in-process."""

    cluster: PostgresCluster | None = None

    @property
    def name(self) -> str:
        return "sqlite" if self.cluster is None else "postgres"

    def env(self) -> dict[str, str]:
        """What a bot process adds to its environment (SQLite: nothing; DATABASE_PATH holds)."""
        return {} if self.cluster is None else {"DATABASE_URL": self.fresh()}

    def engine(self, sqlite_file: Path) -> Engine:
        return engine_for(sqlite_file, None if self.cluster is None else self.fresh())

    def fresh(self) -> str:
        assert self.cluster is not None
        name = f"bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.cluster.url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.cluster.url_of(name)


@contextmanager
def databases(kind: str) -> Iterator[Databases]:
    """`kind` "sqlite" or "postgres" (a cluster for the run, gone after it)."""
    if kind == "sqlite":
        yield Databases()
        return
    cluster = PostgresCluster()
    cluster.start()
    try:
        yield Databases(cluster)
    finally:
        cluster.stop()
