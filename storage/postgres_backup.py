"""A consistent backup of the PostgreSQL database: `pg_dump`'s custom-format archive.

pg_dump reads one snapshot, so the bot keeps writing meanwhile and the archive holds every
transaction committed before it began. The password goes to pg_dump in its environment
(PGPASSWORD), never on its command line, where any user of the host could read it. The
archive is written next to the target and renamed into place, as the SQLite backup does.
Restore: `pg_restore --clean --if-exists --no-owner --dbname=… ARCHIVE` (docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from storage.backup import BackupError

ARCHIVE_NAME = "telethread.dump"


def backup_postgres(url: str, target: Path) -> int:
    """Dump the database at `url` to `target` (a file, or a folder for telethread.dump); the
    number of conversations it holds."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump is not installed here: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client), or take the backup where the "
            "database runs (pg_dump, or your host's snapshots)"
        )
    parts = conninfo_to_dict(url)
    password = parts.pop("password", None)
    target = target / ARCHIVE_NAME if target.is_dir() else target
    partial = target.with_name(target.name + ".partial")
    environment = {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}
    done = subprocess.run(
        [pg_dump, "--format=custom", f"--file={partial}", f"--dbname={make_conninfo('', **parts)}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        partial.unlink(missing_ok=True)
        reason = " ".join(done.stderr.split()) or f"pg_dump exited with {done.returncode}"
        raise BackupError(reason.replace(str(password), "***") if password else reason)
    partial.replace(target)
    try:
        with psycopg.connect(url, connect_timeout=10) as connection:
            found = connection.execute("SELECT count(*) FROM chats").fetchone()
    except psycopg.Error as exc:
        raise BackupError(f"the archive was written, but counting failed: {exc}") from exc
    return int(found[0]) if found else 0
