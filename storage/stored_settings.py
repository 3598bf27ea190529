"""The bot's own settings (the assistant it made, its heartbeat and start): `Database.settings`."""

from __future__ import annotations

import time

from storage.health import HEARTBEAT_KEY, STARTED_KEY, STOPPED_KEY
from storage.writes import Repository


class SettingsRepository(Repository):
    async def get(self, key: str) -> str | None:
        row = await self.first("SELECT value FROM settings WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set(self, key: str, value: str) -> None:
        await self.write(
            "save a setting",
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def first_time(self, key: str) -> bool:
        """Note `key` (with the time): whether it is new — of several processes asking, exactly
        one hears True."""
        written = await self.write(
            "note a setting once",
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO NOTHING RETURNING 1",
            (key, repr(time.time())),
        )
        return bool(written.rows)

    async def heartbeat(self) -> None:
        """The bot is alive and polling (read by `storage.health`)."""
        await self.set(HEARTBEAT_KEY, repr(time.time()))

    async def started(self) -> None:
        """The bot process started: the health probe says "starting" until its first heartbeat."""
        await self.set(STARTED_KEY, repr(time.time()))

    async def stopped(self) -> None:
        """The bot stopped cleanly: the probe (and migrate-to-postgres) know it is not running."""
        await self.set(STOPPED_KEY, repr(time.time()))
