"""The leases this process holds — the chats it answers ("chat:<id>") and, for one process of
the bot, "bot" (polling and the jobs that run once) — renewed together in one statement.

Each lease is held until it expires; the holder renews all of them every third of
LEASE_SECONDS. One the database no longer renews was lost (this process stalled past it): if
another process could have taken it, the gate stops this one; if none is alive, the lease is
taken again when free, as the next epoch (nobody held it meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
import time

from bot.ingress.identity import Identity
from bot.ingress.lease_gate import LeaseGate
from storage import ProcessState, StorageUnavailable
from storage.coordination import Leases, Processes

logger = logging.getLogger(__name__)


class LeaseBook:
    def __init__(
        self,
        leases: Leases,
        processes: Processes,
        gate: LeaseGate,
        identity: Identity,
        *,
        seconds: float,
    ) -> None:
        self._leases = leases
        self._processes = processes
        self._gate = gate
        self.identity = identity
        self.seconds = seconds
        self.held: dict[str, int] = {}  # name → epoch
        self.others: list[ProcessState] = []  # the bot's other processes, at the last beat
        self.role = "starting"

    async def take(self, name: str, *, dead: str | None = None) -> bool:
        """Take a lease if it is free (or its holder is `dead`); whether it is now held."""
        asked = time.monotonic()
        epoch = await self._leases.acquire(name, self.identity.id, self.seconds, dead=dead)
        if epoch is None:
            return False
        self.held[name] = epoch
        self._gate.added(asked, self.seconds)
        return True

    async def take_many(self, names: list[str], *, dead: frozenset[str]) -> list[str]:
        """Take those of `names` that are free (or held by one of `dead`): the ones taken."""
        asked = time.monotonic()
        taken = await self._leases.acquire_many(names, self.identity.id, self.seconds, dead=dead)
        if taken:
            self.held.update(taken)
            self._gate.added(asked, self.seconds)
        return [name for name in names if name in taken]

    async def give_back(self, name: str, *, idle_chat: int | None = None) -> bool:
        """Hand a lease over now (a chat's only if no update of it waits): whether it was."""
        epoch = self.held.get(name)
        if epoch is None:
            return False
        holder = self.identity.id
        if idle_chat is None:
            given = await self._leases.release(name, holder, epoch)
        else:
            given = await self._leases.release_if_idle(name, holder, epoch, idle_chat)
        if given:
            del self.held[name]
            if not self.held:
                self._gate.let_go()
        return given

    async def give_back_all(self) -> None:
        """Stopping: hand every lease over, so other processes answer at once."""
        for name in list(self.held):
            try:
                await self.give_back(name)
            except StorageUnavailable as exc:
                logger.warning("Could not hand %s over (it lapses by itself): %s", name, exc)
                break
        self._gate.let_go()

    async def keep(self) -> None:
        """Renew every lease (and beat) every third of their time, until cancelled."""
        while True:
            await asyncio.sleep(self.seconds / 3)
            await self.renew()

    async def renew(self) -> None:
        asked = time.monotonic()
        try:
            if self.held:
                # The leases held when asking: one taken or given back meanwhile (by a claim
                # or a quiet chat's hand-back while this statement ran) is not a lost one.
                expected = dict(self.held)
                renewed = await self._leases.renew_all(self.identity.id, self.seconds)
                for name, epoch in expected.items():
                    if renewed.get(name) != epoch and self.held.get(name) == epoch:
                        await self._lapsed(name)
                self._gate.renewed(asked, self.seconds)
            await self.beat()
        except StorageUnavailable as exc:
            logger.warning("Could not renew this process's leases: %s", exc)
            self._gate.check()  # stops once they may have lapsed, if another could take them

    async def _lapsed(self, name: str) -> None:
        """A lease not renewed: taken again as the next epoch if nobody had it, else lost."""
        epoch = self.held[name]
        again = await self._leases.acquire(name, self.identity.id, self.seconds)
        if again != epoch + 1:
            self._gate.lost()  # exits (in tests: records) — never answers that chat again
            del self.held[name]
            return
        logger.info("Took %s again after it lapsed (nobody else took it)", name)
        self.held[name] = again

    async def beat(self, role: str | None = None) -> None:
        """This process is alive (and in which role); who else is."""
        self.role = role or self.role
        await self._processes.beat(
            self.identity.id, self.identity.host, self.identity.pid, self.role
        )
        await self.look_around()

    async def look_around(self) -> list[ProcessState]:
        """The bot's other processes alive now (they beat within the lease time)."""
        alive = await self._processes.alive(within=self.seconds)
        others = [p for p in alive if p.id != self.identity.id]
        if {p.id for p in others} != {p.id for p in self.others}:
            logger.info(
                "Processes of the bot alive besides this one: %s",
                ", ".join(p.id for p in others) or "none",
            )
        self.others = others
        self._gate.alone = not others
        return others

    async def left(self) -> None:
        try:
            await self._processes.left(self.identity.id)
        except StorageUnavailable as exc:
            logger.debug("Could not remove this process's row: %s", exc)
