"""The bot's heartbeat in its database, and the check a health probe runs against it (the
SQLite file, or the PostgreSQL server of DATABASE_URL).

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
STOPPED_KEY = "stopped"  # written by a clean stop: the heartbeat before it means nothing


@dataclass(frozen=True, slots=True)
class Health:
    state: Literal["healthy", "starting", "unhealthy"]
    detail: str

    def __str__(self) -> str:
        return f"{self.state}: {self.detail}"


def read_health(
    database: Path, *, max_age: float, now: float | None = None, url: str | None = None
) -> Health:
    """How the bot using `database` (or the server at `url`) is doing: healthy while its
    heartbeat is fresher than `max_age` seconds; starting for `max_age` seconds after a
    start; else unhealthy, and why."""
    if not url and not database.is_file():
        return Health("unhealthy", f"there is no database at {database}")
    try:
        heartbeat, started, stopped = _read_server_times(url) if url else _read_times(database)
    except Unreadable as exc:
        return Health("unhealthy", str(exc))
    now = time.time() if now is None else now
    if stopped is not None and stopped >= max(heartbeat or 0.0, started or 0.0):
        return Health("unhealthy", f"the bot was stopped {now - stopped:.0f} s ago")
    return judge(heartbeat, started, max_age=max_age, now=now)


def judge(heartbeat: float | None, started: float | None, *, max_age: float, now: float) -> Health:
    """The verdict on the times a running bot wrote."""
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


Times = tuple[float | None, float | None, float | None]  # heartbeat, started, stopped
KEYS = (HEARTBEAT_KEY, STARTED_KEY, STOPPED_KEY)


class Unreadable(Exception):
    """The database could not be read; the message says which and why."""


def _read_times(database: Path) -> Times:
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
        try:
            found = connection.execute(
                "SELECT key, value FROM settings WHERE key IN (?, ?, ?)", KEYS
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise Unreadable(f"cannot read {database}: {exc}") from exc
    return _times(dict(found))


def _read_server_times(url: str) -> Times:
    # Imported here: the running bot imports this module too, and a SQLite bot needs no driver.
    import psycopg

    from storage.postgres_engine import describe

    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            found = connection.execute(
                "SELECT key, value FROM settings WHERE key IN (%s, %s, %s)", KEYS
            ).fetchall()
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise Unreadable(f"cannot read {describe(url)}: {reason}") from exc
    return _times({str(k): str(v) for k, v in found})


def _times(rows: dict[str, str]) -> Times:
    def number(key: str) -> float | None:
        value = rows.get(key)
        return None if value is None else float(value)

    return number(HEARTBEAT_KEY), number(STARTED_KEY), number(STOPPED_KEY)
