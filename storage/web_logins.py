"""Single-use links into the web pages (`/web` in a private chat), and the sessions they (or a
Mini App's launch) open: `Database.web_logins`.

Only a hash of each link's (and session's) token is kept (a copy of the database opens
nobody's pages), a link is spent by exactly one request, and it lapses after a few minutes;
times are the database's clock, so any process of the bot may spend a link another issued.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage import database_clock as clock
from storage.records import SignedIn
from storage.writes import Repository


class WebLoginRepository(Repository):
    async def issue(self, token_hash: str, signed: SignedIn, seconds: float) -> None:
        """Keep a new link for a person, valid `seconds` from now."""
        await self._keep("web_logins", "keep a login link", token_hash, signed, seconds)

    async def spend(self, token_hash: str) -> SignedIn | None:
        """The person a valid, unspent link names, spending it (of two requests racing, one
        wins); None for a link unknown, spent or lapsed."""
        now = clock.now(self._connection.engine.name)
        written = await self.write(
            "spend a login link",
            f"UPDATE web_logins SET spent_at = {now}"
            f" WHERE token_hash = ? AND spent_at IS NULL AND expires_at > {now}"
            " RETURNING user_id, language",
            (token_hash,),
        )
        return _signed(written.rows[0]) if written.rows else None

    async def start_session(self, token_hash: str, signed: SignedIn, seconds: float) -> None:
        """Keep a session for a person, valid `seconds` from now."""
        await self._keep("web_sessions", "keep a web session", token_hash, signed, seconds)

    async def _keep(
        self, table: str, what: str, token_hash: str, signed: SignedIn, seconds: float
    ) -> None:
        """A link or a session: the same row, `seconds` to live by the database's clock."""
        engine = self._connection.engine.name
        await self.write(
            what,
            f"INSERT INTO {table} (token_hash, user_id, language, expires_at)"
            f" VALUES (?, ?, ?, {clock.later(engine)})",
            (token_hash, signed.user_id, signed.language, seconds),
        )

    async def session_user(self, token_hash: str) -> SignedIn | None:
        """Whose session this is; None for one unknown, ended or lapsed."""
        now = clock.now(self._connection.engine.name)
        row = await self.first(
            "SELECT user_id, language FROM web_sessions"
            f" WHERE token_hash = ? AND expires_at > {now}",
            (token_hash,),
        )
        return _signed(row) if row else None

    async def end_sessions(self, user_id: int) -> int:
        """End every session of `user_id` (`/web logout`): how many there were."""
        written = await self.write(
            "end web sessions",
            "DELETE FROM web_sessions WHERE user_id = ? RETURNING token_hash",
            (user_id,),
        )
        return len(written.rows)

    async def forget_lapsed(self) -> None:
        """Forget links that lapsed or were spent, and lapsed sessions (nothing reads them)."""
        now = clock.now(self._connection.engine.name)
        await self.commit(
            "forget old login links",
            [
                (f"DELETE FROM web_logins WHERE spent_at IS NOT NULL OR expires_at <= {now}", ()),
                (f"DELETE FROM web_sessions WHERE expires_at <= {now}", ()),
            ],
        )


def _signed(row: Sequence[object]) -> SignedIn:
    return SignedIn(int(str(row[0])), None if row[1] is None else str(row[1]))
