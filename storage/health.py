"""The bot's heartbeat in its database, and the check a health probe runs against it.

The running bot writes the time it started and, every so often while it polls, a heartbeat; a
separate process (Docker's HEALTHCHECK, `./run.sh health`) reads them. One write proves the
database takes writes; the heartbeat's age proves the bot's event loop and polling are alive.
A bot that started moments ago and is not polling yet is "starting", not "unhealthy".
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

HEARTBEAT_KEY = "heartbeat"
STARTED_KEY = "started"


@dataclass(frozen=True, slots=True)
class Health:
    state: Literal["healthy", "starting", "unhealthy"]
    detail: str

    def __str__(self) -> str:
        return f"{self.state}: {self.detail}"


def read_health(database: Path, *, max_age: float, now: float | None = None) -> Health:
    """How the bot using `database` is doing: healthy while its heartbeat is fresher than
    `max_age` seconds; starting for `max_age` seconds after a start; else unhealthy, and why."""
    if not database.is_file():
        return Health("unhealthy", f"there is no database at {database}")
    try:
        heartbeat, started = _read_times(database)
    except sqlite3.Error as exc:
        return Health("unhealthy", f"cannot read {database}: {exc}")
    now = time.time() if now is None else now
    if heartbeat is not None and (started is None or heartbeat >= started):
        age = now - heartbeat
        if age > max_age:
            return Health(
                "unhealthy", f"no heartbeat for {age:.0f} s (the bot stopped polling or is stuck)"
            )
        return Health("healthy", f"last heartbeat {age:.0f} s ago")
    if started is None:
        return Health("unhealthy", "the bot has not written a heartbeat yet")
    since = now - started
    if since <= max_age:
        return Health("starting", f"the bot started {since:.0f} s ago and is not polling yet")
    return Health(
        "unhealthy",
        f"the bot started {since:.0f} s ago and is not polling yet (is Telegram reachable? "
        "its log says)",
    )


def _read_times(database: Path) -> tuple[float | None, float | None]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        rows = dict(
            connection.execute(
                "SELECT key, value FROM settings WHERE key IN (?, ?)", (HEARTBEAT_KEY, STARTED_KEY)
            ).fetchall()
        )
    finally:
        connection.close()
    heartbeat, started = rows.get(HEARTBEAT_KEY), rows.get(STARTED_KEY)
    return (
        None if heartbeat is None else float(heartbeat),
        None if started is None else float(started),
    )
