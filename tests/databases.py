"""Both database engines for the tests: SQLite files, and a real PostgreSQL cluster.

One cluster serves the whole run (started by the controlling pytest process before its workers,
who find it in TEST_DATABASE_URL); a migrated template database is made once, and each test
gets a database of its own copied from it (tens of milliseconds). An owner's server can stand
in: set TEST_DATABASE_URL to a superuser's URL. Without PostgreSQL on the machine the
PostgreSQL tests skip, except under CI=true, where they fail: CI must exercise both engines.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from storage.database import Database
from storage.postgres_engine import PostgresEngine
from tests.servers.postgres import PostgresCluster, PostgresMissing

TEMPLATE = "telethread_template"
URL_VARIABLE = "TEST_DATABASE_URL"
MISSING_VARIABLE = "TELETHREAD_NO_POSTGRES"  # why the cluster could not start, for the workers
ENGINES = ("sqlite", "postgresql")


def start_cluster() -> PostgresCluster | None:
    """In the controlling process, before any event loop: the run's cluster (None if the
    environment names a server, or none can start), its template database made anew."""
    cluster = None
    if not os.environ.get(URL_VARIABLE):
        try:
            cluster = PostgresCluster()
            cluster.start()
        except (PostgresMissing, RuntimeError, OSError) as exc:
            os.environ[MISSING_VARIABLE] = str(exc)
            return None
        os.environ[URL_VARIABLE] = cluster.url
    make_template(os.environ[URL_VARIABLE])
    return cluster


def server_url() -> str:
    """The run's server (a superuser's URL); skips or, under CI, fails without one."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        return url
    why = os.environ.get(MISSING_VARIABLE, "no PostgreSQL server")
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the PostgreSQL tests: {why}")
    pytest.skip(f"PostgreSQL is not available: {why}")


def url_of(server: str, database: str) -> str:
    base, _, _ = server.rpartition("/")
    return f"{base}/{database}"


def make_template(server: str) -> None:
    """The template every test's database copies, migrated by this version's code."""
    name = sql.Identifier(TEMPLATE)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
    asyncio.run(_migrate(url_of(server, TEMPLATE)))


async def _migrate(url: str) -> None:
    async with Database(PostgresEngine(url)):
        pass


def fresh_database(*, migrated: bool = True) -> Iterator[str]:
    """A database of its own for one test (a copy of the template, or empty); dropped after."""
    server = server_url()
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server, autocommit=True) as admin:
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if migrated:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(TEMPLATE))
        admin.execute(create)
    try:
        yield url_of(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of the test's own, for tests that stop and start the server."""
    try:
        cluster = PostgresCluster()
        cluster.start()
    except PostgresMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {exc}")
        pytest.skip(f"PostgreSQL is not available: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
