"""A consistent copy of the database, safe to take while the bot runs.

SQLite's online backup API copies a snapshot page by page; in WAL mode the bot keeps writing
meanwhile and the copy holds every transaction committed before it began. The copy is written
next to the target and renamed into place, so a failed or interrupted backup never leaves a
half-written file where a good one was expected.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class BackupError(Exception):
    """The backup could not be taken; the message says why."""


def backup(database: Path, target: Path) -> int:
    """Copy `database` to `target`; returns the number of conversations it holds."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    target = target / database.name if target.is_dir() else target
    partial = target.with_name(target.name + ".partial")
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
                if problem != "ok":
                    raise BackupError(f"the copy failed its integrity check: {problem}")
                (count,) = copy.execute("SELECT count(*) FROM chats").fetchone()
            finally:
                copy.close()
        finally:
            source.close()
        partial.replace(target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(str(exc)) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return int(count)
