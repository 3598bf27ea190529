"""The owner's commands beside running the bot: health, backup, migrate-to-postgres.

Each prints what it did (or why it could not) and returns the exit code; none starts the bot.
PostgreSQL's modules are imported by the commands that need them: Docker runs `health` every
30 s, and a SQLite bot's probe need not load the driver.
"""

from __future__ import annotations

import sys
from pathlib import Path

from storage.backup import BackupError
from storage.backup import backup as copy_file
from storage.health import read_health


def health(database: Path, url: str | None, *, max_age: float) -> int:
    """0 while the running bot keeps writing its heartbeat (for Docker's HEALTHCHECK); 1 while
    it is starting (Docker's start period ignores that) or unhealthy."""
    report = read_health(database, max_age=max_age, url=url)
    print(report)
    return 0 if report.state == "healthy" else 1


def backup(database: Path, url: str | None, target: Path) -> int:
    """SQLite: a checked copy of the file; PostgreSQL: a pg_dump archive."""
    try:
        if url:
            from storage.postgres_backup import backup_postgres
            from storage.postgres_engine import describe

            source, chats = describe(url), backup_postgres(url, target)
        else:
            source, chats = str(database), copy_file(database, target)
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Backed up {source} to {target} ({chats} conversations)")
    return 0


def migrate_to_postgres(database: Path, url: str | None) -> int:
    """Copy the SQLite bot into an empty PostgreSQL database, and say what to change."""
    from storage.postgres_copy import CopyError, copy_to_postgres
    from storage.postgres_engine import describe

    if not url:
        print(
            "migrate-to-postgres needs the PostgreSQL database to copy into: "
            "./run.sh migrate-to-postgres postgresql://USER:PASSWORD@HOST:5432/DATABASE "
            "(or set DATABASE_URL)",
            file=sys.stderr,
        )
        return 2
    running = read_health(database, max_age=60)
    if running.state != "unhealthy":
        print(f"Stop the bot first: it is {running} (the copy must be of one moment).")
        return 1
    try:
        copied = copy_to_postgres(database, url)
    except CopyError as exc:
        print(f"Nothing was copied: {exc}", file=sys.stderr)
        return 1
    counts = copied.counts
    print(
        f"Copied {database} to {describe(url)}: {counts['chats']} conversations, "
        f"{counts['local_messages']} kept messages, {counts['inbox']} waiting in the inbox, "
        f"{counts['ledger']} ledger rows, {counts['remote_files']} files on the model's server "
        "(every table counted on both sides)."
    )
    if copied.warning:
        print(f"Note: {copied.warning}.")
    print(
        "Next: add DATABASE_URL=<that URL> to .env and start the bot; it then uses PostgreSQL "
        f"and no longer reads {database} (keep the file as a backup)."
    )
    return 0
