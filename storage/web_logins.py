"""Single-use links into the web pages (`/web` in a private chat): `Database.web_logins`.

Only a hash of each link's token is kept (a copy of the database opens nobody's pages), a link
is spent by exactly one request, and it lapses after a few minutes; times are the database's
clock, so any process of the bot may spend a link another one issued.
"""

from __future__ import annotations

from storage import database_clock as clock
from storage.writes import Repository


class WebLoginRepository(Repository):
    async def issue(self, token_hash: str, user_id: int, seconds: float) -> None:
        """Keep a new link for `user_id`, valid `seconds` from now."""
        engine = self._connection.engine.name
        await self.write(
            "keep a login link",
            "INSERT INTO web_logins (token_hash, user_id, expires_at)"
            f" VALUES (?, ?, {clock.later(engine)})",
            (token_hash, user_id, seconds),
        )

    async def spend(self, token_hash: str) -> int | None:
        """The user a valid, unspent link names, spending it (of two requests racing, one
        wins); None for a link unknown, spent or lapsed."""
        now = clock.now(self._connection.engine.name)
        written = await self.write(
            "spend a login link",
            f"UPDATE web_logins SET spent_at = {now}"
            f" WHERE token_hash = ? AND spent_at IS NULL AND expires_at > {now}"
            " RETURNING user_id",
            (token_hash,),
        )
        return int(written.rows[0][0]) if written.rows else None

    async def forget_lapsed(self) -> None:
        """Forget links that lapsed or were spent (nothing reads them again)."""
        now = clock.now(self._connection.engine.name)
        await self.write(
            "forget old login links",
            f"DELETE FROM web_logins WHERE spent_at IS NOT NULL OR expires_at <= {now}",
        )
