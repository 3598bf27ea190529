"""The bot's heartbeat in its database, and the check a health probe runs against it.

The running bot writes the time every so often while it is polling; a separate process (Docker's
HEALTHCHECK) reads it. One write proves the database takes writes; its age proves the bot's
event loop and polling are alive.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

HEARTBEAT_KEY = "heartbeat"


def heartbeat_age(database: Path, now: float | None = None) -> float:
    """Seconds since the bot's last heartbeat; raises sqlite3.Error or LookupError if none."""
    if not database.is_file():
        raise LookupError(f"there is no database at {database}")
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        row = connection.execute(
            "SELECT value FROM settings WHERE key = ?", (HEARTBEAT_KEY,)
        ).fetchone()
    finally:
        connection.close()
    if row is None:
        raise LookupError("the bot has not written a heartbeat yet")
    return (time.time() if now is None else now) - float(row[0])
