"""Which process of the bot answers: the holder of the lease "bot" (the others stand by).

Every process takes webhooks (they only write the journal), but one answers: it polls (without
a webhook), reads the journal, runs the turns, sends, and runs the jobs that must run once
(commands, retention, forgetting old updates). A standby asks for the lease a few times a
second, so a process that stops hands over at once (it expires its lease), and one that dies
is replaced when its lease lapses (LEASE_SECONDS). A process that restarts on the same host as
a holder that died (its pid gone, or its own pid: a restarted container) takes over at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass

from bot.ingress.lease_gate import LeaseGate
from storage import ProcessState, StorageUnavailable
from storage.repositories import Leases, Processes

logger = logging.getLogger(__name__)

LEASE = "bot"


@dataclass(frozen=True, slots=True)
class Identity:
    """This process, as the lease and the processes table name it: host:pid:random."""

    host: str
    pid: int
    token: str

    @classmethod
    def of_this_process(cls) -> Identity:
        return cls(socket.gethostname(), os.getpid(), secrets.token_hex(3))

    @property
    def id(self) -> str:
        return f"{self.host}:{self.pid}:{self.token}"

    def knows_dead(self, holder: str) -> bool:
        """Whether `holder` is a process of this host that is gone: its pid is not running,
        or is ours (a process before us with our pid: a restarted container)."""
        parts = holder.rsplit(":", 2)
        if len(parts) != 3 or parts[0] != self.host or holder == self.id:
            return False
        try:
            pid = int(parts[1])
        except ValueError:
            return False
        return pid == self.pid or not _running(pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Leadership:
    def __init__(
        self,
        leases: Leases,
        processes: Processes,
        gate: LeaseGate,
        identity: Identity,
        *,
        seconds: float,
        poll: float,
    ) -> None:
        self._leases = leases
        self._processes = processes
        self._gate = gate
        self.identity = identity
        self._seconds = seconds
        self._poll = poll
        self.role = "starting"

    async def lead(self) -> None:
        """Wait until this process holds the lease (standing by meanwhile); cancel to give up."""
        told = False
        beaten = 0.0
        while True:
            now = time.monotonic()
            if now - beaten >= self._seconds / 3:
                await self._beat("standby")
                beaten = now
            if await self._try():
                return
            if not told:
                holder = await self._holder()
                logger.info(
                    "Standing by: process %s answers; this one takes webhooks and takes over "
                    "if it stops",
                    holder,
                )
                told = True
            await asyncio.sleep(self._poll)

    async def _try(self) -> bool:
        asked = time.monotonic()
        try:
            held = await self._leases.holder(LEASE)
            dead = held.holder if held and self.identity.knows_dead(held.holder) else None
            epoch = await self._leases.acquire(LEASE, self.identity.id, self._seconds, dead=dead)
        except StorageUnavailable as exc:
            logger.debug("Could not ask for the lease: %s", exc)
            return False
        if epoch is None:
            return False
        self._gate.held(epoch, asked, self._seconds)
        if dead is not None:
            logger.info("Took over from process %s, which is no longer running", dead)
        with contextlib.suppress(StorageUnavailable):
            self._gate.alone = not await self.others()
        await self._beat("answering")
        return True

    async def _holder(self) -> str:
        try:
            held = await self._leases.holder(LEASE)
        except StorageUnavailable:
            return "(unknown: the database is not answering)"
        return held.holder if held else "(none yet)"

    async def keep(self) -> None:
        """While answering: renew the lease (and beat) every third of its time. A lease that
        lapsed while the database was away is taken again if nobody took it meanwhile (the
        next epoch is ours); if another process held it, the gate stops this one."""
        while True:
            await asyncio.sleep(self._seconds / 3)
            asked = time.monotonic()
            epoch = self._gate.epoch
            try:
                if not await self._leases.renew(LEASE, self.identity.id, epoch, self._seconds):
                    again = await self._leases.acquire(LEASE, self.identity.id, self._seconds)
                    if again != epoch + 1:
                        self._gate.lost()
                        return
                    logger.info("Took the lease again after it lapsed (nobody else took it)")
                    epoch = again
                self._gate.held(epoch, asked, self._seconds)
                others = await self.others()
                self._gate.alone = not others
                await self._beat("answering")
            except StorageUnavailable as exc:
                logger.warning("Could not renew the lease: %s", exc)
                self._gate.check()  # stops once it may have lapsed, if another could take it

    async def hand_over(self) -> None:
        """Stopping: expire the lease now, so a standby answers without waiting for it."""
        if not self._gate.holding:
            return
        epoch = self._gate.epoch
        self._gate.let_go()
        try:
            await self._leases.release(LEASE, self.identity.id, epoch)
        except StorageUnavailable as exc:
            logger.warning("Could not hand the lease over (it lapses by itself): %s", exc)

    async def standby_waiting(self) -> bool:
        """Whether another process stands by to take over (it beat within the lease time)."""
        try:
            return any(p.role == "standby" for p in await self.others())
        except StorageUnavailable:
            return False

    async def others(self) -> list[ProcessState]:
        """The bot's other processes alive (StorageUnavailable if the database is away)."""
        alive = await self._processes.alive(within=self._seconds)
        return [p for p in alive if p.id != self.identity.id]

    async def stopping(self) -> None:
        await self._beat("stopping")

    async def left(self) -> None:
        try:
            await self._processes.left(self.identity.id)
        except StorageUnavailable as exc:
            logger.debug("Could not remove this process's row: %s", exc)

    async def _beat(self, role: str) -> None:
        self.role = role
        try:
            await self._processes.beat(
                self.identity.id, self.identity.host, self.identity.pid, role
            )
        except StorageUnavailable as exc:
            logger.debug("Could not write this process's heartbeat: %s", exc)
