"""Named leases, and the processes alive: `Database.leases`, `Database.processes`.

A lease is held by one process at a time until it expires; the holder renews it, a process
that stops expires it at once (hands over), and one that dies or stalls loses it when it lapses.
Each change of holder adds one to its `epoch`, so a holder can tell "still mine" from "mine
again". All times are the database's (`storage.database_clock`): the processes may run on hosts
whose clocks disagree.
"""

from __future__ import annotations

from storage import database_clock as clock
from storage.records import Lease, ProcessState
from storage.writes import Repository


class LeaseRepository(Repository):
    async def acquire(
        self, name: str, holder: str, seconds: float, *, dead: str | None = None
    ) -> int | None:
        """Take the lease if it is free (never held, lapsed, or held by `dead`, a holder the
        caller knows has died): the new epoch, or None if another process holds it."""
        engine = self._connection.engine.name
        written = await self.write(
            "take a lease",
            f"INSERT INTO leases (name, holder, epoch, expires_at)"
            f" VALUES (?, ?, 1, {clock.later(engine)})"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " epoch = leases.epoch + 1, expires_at = excluded.expires_at"
            f" WHERE leases.expires_at < {clock.now(engine)} OR leases.holder = ?"
            " RETURNING epoch",
            (name, holder, seconds, dead or ""),
        )
        return int(written.rows[0][0]) if written.rows else None

    async def acquire_many(
        self, names: list[str], holder: str, seconds: float, *, dead: frozenset[str] = frozenset()
    ) -> dict[str, int]:
        """Take each of `names` that is free (or held by one of `dead`), in one statement: the
        ones taken, name → epoch (a process claiming many chats waits one round trip)."""
        engine = self._connection.engine.name
        taken: dict[str, int] = {}
        for start in range(0, len(names), 200):
            chunk = names[start : start + 200]
            rows = ", ".join(f"(?, ?, 1, {clock.later(engine)})" for _ in chunk)
            params: list[object] = []
            for name in chunk:
                params += [name, holder, seconds]
            gone = sorted(dead) or [""]
            written = await self.write(
                "take leases",
                f"INSERT INTO leases (name, holder, epoch, expires_at) VALUES {rows}"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                " epoch = leases.epoch + 1, expires_at = excluded.expires_at"
                f" WHERE leases.expires_at < {clock.now(engine)}"
                f" OR leases.holder IN ({', '.join('?' * len(gone))}) RETURNING name, epoch",
                (*params, *gone),
            )
            taken.update({str(name): int(epoch) for name, epoch in written.rows})
        return taken

    async def renew(self, name: str, holder: str, epoch: int, seconds: float) -> bool:
        """Extend a lease still held (not lapsed) by `holder` in `epoch`; False if it is not."""
        engine = self._connection.engine.name
        written = await self.write(
            "renew a lease",
            f"UPDATE leases SET expires_at = {clock.later(engine)}"
            " WHERE name = ? AND holder = ? AND epoch = ?"
            f" AND expires_at > {clock.now(engine)} RETURNING epoch",
            (seconds, name, holder, epoch),
        )
        return bool(written.rows)

    async def release(self, name: str, holder: str, epoch: int) -> bool:
        """Expire the lease now (never delete it: epochs must not start again)."""
        engine = self._connection.engine.name
        written = await self.write(
            "hand a lease over",
            f"UPDATE leases SET expires_at = {clock.later(engine)}"
            " WHERE name = ? AND holder = ? AND epoch = ? RETURNING epoch",
            (-0.001, name, holder, epoch),
        )
        return bool(written.rows)

    async def renew_all(self, holder: str, seconds: float) -> dict[str, int]:
        """Extend every lease `holder` still holds, in one statement: name → epoch."""
        engine = self._connection.engine.name
        written = await self.write(
            "renew the leases",
            f"UPDATE leases SET expires_at = {clock.later(engine)}"
            f" WHERE holder = ? AND expires_at > {clock.now(engine)} RETURNING name, epoch",
            (seconds, holder),
        )
        return {str(name): int(epoch) for name, epoch in written.rows}

    async def held_by_others(self, names: list[str], holder: str) -> dict[str, str]:
        """Of `names`, those another process holds now: name → holder."""
        engine = self._connection.engine.name
        found: dict[str, str] = {}
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = await self.rows(
                f"SELECT name, holder FROM leases WHERE name IN ({marks})"
                f" AND holder <> ? AND expires_at > {clock.now(engine)}",
                (*chunk, holder),
            )
            found.update({str(name): str(by) for name, by in rows})
        return found

    async def release_if_idle(self, name: str, holder: str, epoch: int, chat_id: int) -> bool:
        """Hand a chat's lease over unless an update of the chat waits in the journal (checked
        in the same statement, so one kept meanwhile is never left without an owner)."""
        engine = self._connection.engine.name
        written = await self.write(
            "hand a quiet chat over",
            f"UPDATE leases SET expires_at = {clock.later(engine)}"
            " WHERE name = ? AND holder = ? AND epoch = ? AND NOT EXISTS (SELECT 1 FROM"
            " tg_updates WHERE tg_updates.chat_id = ? AND tg_updates.state = 'pending')"
            " RETURNING epoch",
            (-0.001, name, holder, epoch, chat_id),
        )
        return bool(written.rows)

    async def held_per_holder(self, prefix: str) -> dict[str, int]:
        """How many live leases named `prefix`… each process holds (e.g. chats: "chat:")."""
        engine = self._connection.engine.name
        rows = await self.rows(
            "SELECT holder, count(*) FROM leases WHERE name LIKE ?"
            f" AND expires_at > {clock.now(engine)} GROUP BY holder",
            (prefix + "%",),
        )
        return {str(holder): int(count) for holder, count in rows}

    async def holder(self, name: str) -> Lease | None:
        engine = self._connection.engine.name
        row = await self.first(
            f"SELECT holder, epoch, {clock.seconds_until(engine, 'expires_at')}"
            " FROM leases WHERE name = ?",
            (name,),
        )
        return None if row is None else Lease(str(row[0]), int(row[1]), float(row[2]))


class ProcessRepository(Repository):
    async def beat(self, process: str, host: str, pid: int, role: str) -> None:
        """This process is alive, in this role."""
        engine = self._connection.engine.name
        await self.write(
            "write a heartbeat",
            "INSERT INTO processes (id, host, pid, role, started_at, heartbeat)"
            f" VALUES (?, ?, ?, ?, {clock.now(engine)}, {clock.now(engine)})"
            " ON CONFLICT (id) DO UPDATE SET role = excluded.role,"
            " heartbeat = excluded.heartbeat",
            (process, host, pid, role),
        )

    async def left(self, process: str) -> None:
        await self.write("say a process stopped", "DELETE FROM processes WHERE id = ?", (process,))

    async def forget_gone(self) -> None:
        """Forget the processes that have not beaten for a day (they died without a word)."""
        engine = self._connection.engine.name
        await self.write(
            "forget dead processes",
            f"DELETE FROM processes WHERE heartbeat < {clock.later(engine)}",
            (-86400.0,),
        )

    async def alive(self, within: float) -> list[ProcessState]:
        """The processes that beat in the last `within` seconds, oldest first."""
        engine = self._connection.engine.name
        age = f"-{clock.seconds_until(engine, 'heartbeat')}"
        rows = await self.rows(
            f"SELECT id, host, pid, role, {age} FROM processes"
            f" WHERE {age} <= ? ORDER BY started_at, id",
            (within,),
        )
        return [ProcessState(str(r[0]), str(r[1]), int(r[2]), str(r[3]), float(r[4])) for r in rows]
