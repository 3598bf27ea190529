"""The health probe's verdict from the times the bot wrote: healthy, starting or unhealthy."""

from __future__ import annotations

import time
from pathlib import Path

from storage.database import Database
from storage.health import read_health


async def database_with(path: Path, *, started: float | None, heartbeat: float | None) -> Path:
    async with Database(path) as store:
        for key, value in (("started", started), ("heartbeat", heartbeat)):
            if value is not None:
                await store.settings.set(key, repr(value))
    return path


async def test_a_bot_that_just_started_is_starting_not_unhealthy(tmp_path: Path) -> None:
    now = time.time()
    database = await database_with(tmp_path / "bot.sqlite3", started=now - 5, heartbeat=None)

    report = read_health(database, max_age=60, now=now)

    assert report.state == "starting"
    assert str(report) == "starting: the bot started 5 s ago and is not polling yet"


async def test_a_heartbeat_from_before_the_last_start_does_not_count(tmp_path: Path) -> None:
    now = time.time()
    database = await database_with(tmp_path / "bot.sqlite3", started=now - 3, heartbeat=now - 9)

    assert read_health(database, max_age=60, now=now).state == "starting"
    assert read_health(database, max_age=60, now=now + 100).state == "unhealthy"
    assert "is Telegram reachable?" in str(read_health(database, max_age=60, now=now + 100))


async def test_a_fresh_heartbeat_is_healthy_and_a_stale_one_is_not(tmp_path: Path) -> None:
    now = time.time()
    database = await database_with(tmp_path / "bot.sqlite3", started=now - 30, heartbeat=now - 2)

    assert str(read_health(database, max_age=60, now=now)) == "healthy: last heartbeat 2 s ago"
    stale = read_health(database, max_age=60, now=now + 120)
    assert stale.state == "unhealthy" and "no heartbeat for 122 s" in stale.detail


async def test_no_database_is_unhealthy(tmp_path: Path) -> None:
    report = read_health(tmp_path / "missing.sqlite3", max_age=60)

    assert report.state == "unhealthy" and "there is no database" in report.detail
