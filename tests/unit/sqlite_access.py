"""The SQLite connection under a store, for tests that use SQLite's own switches (PRAGMAs)."""

from __future__ import annotations

import aiosqlite

from storage.database import Database
from storage.sqlite_engine import SqliteEngine


def sqlite_of(store: Database) -> aiosqlite.Connection:
    assert isinstance(store.engine, SqliteEngine), "a SQLite store"
    return store.engine.connection
