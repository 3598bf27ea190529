"""One process's share of Telegram's bot-wide flood budget, kept in the database.

Telegram counts ~30 messages a second per bot; with several processes sending, each paces its
own requests (the rate limiter's local budgets choose which goes next) and then takes a slot of
the bot's budget (`storage/flood.py`: one number per scope, the time the next slot is free).

Why reservations, not a question per request: a request that waits for its turn reserves the
next few slots in one statement (as many as this process has requests asking, up to `BATCH`)
and is told when they start, so a busy process asks the database a few times a second, never
polls it, and two processes interleave their batches fairly. Typing and drafts only take a
slot free now (one statement, and never two of them at once): under load they are skipped.

Why always, with PostgreSQL, even for a process that may be alone: a process learns that
another started only at its next look around, and the bench's 2-process run showed that second
enough for ~20 429s; asking costs a lone process one short statement per request, and an even
pace only where a burst of more than one request would have gone at once.

Nothing here may hold an answer up for long: with the database away the local budgets pace
alone (429s, if any come, are waited out as before) and the database is not asked again for
`AWAY_SECONDS`; a request cancelled while its batch is being reserved leaves the statement to
finish for the others (a cancelled database call could leave its connection mid-transaction).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.delivery.flood_budget import loop_time

logger = logging.getLogger(__name__)

BATCH = 8  # slots one reservation takes at most (8 of 33 ms: a quarter of a second)
LATE = 0.1  # a slot passed this long ago is not used: sent now the request would make a burst
AWAY_SECONDS = 5.0  # after the database failed to answer, the local budgets pace alone this long

# (scope, seconds) → seconds until the reservation starts.
Reserve = Callable[[str, float], Awaitable[float]]
# (scope, seconds) → whether the slot was free now, and taken.
TakeNow = Callable[[str, float], Awaitable[bool]]


class SharedPace:
    """One scope of the bot-wide budget ('messages', or 'actions' for typing and drafts)."""

    def __init__(
        self,
        scope: str,
        interval: float,
        reserve: Reserve,
        take_now: TakeNow,
        *,
        batch: int = BATCH,
    ) -> None:
        self._scope = scope
        self._interval = interval
        self._reserve = reserve
        self._take_now = take_now
        self._batch = batch
        self._slots: deque[float] = deque()  # loop times of slots reserved and not yet used
        self._turn = asyncio.Lock()  # askers take their slots in the order they came
        self._asking = 0  # requests waiting for a slot now (the size of the next batch)
        self._trying = False  # a typing's take in flight: the next typing is skipped
        self._away_until = -1.0  # loop time until which the database is not asked
        self.late = 0  # slots passed before their request could go (a busy event loop)

    async def slot(self, weight: int = 1) -> None:
        """Wait for this request's slots (`weight`: an album's items) of the bot's budget.

        A busy event loop may wake the request after its slot has passed: sent then, it would
        bunch with the next slots (another process's among them), so it waits for new ones."""
        while not self._away():
            self._asking += weight
            try:
                async with self._turn:
                    self._drop_late()
                    while len(self._slots) < weight:
                        if self._away():
                            return
                        wanted = max(weight - len(self._slots), min(self._batch, self._asking))
                        if not await self._reserved(wanted):
                            return  # the database away: the local budgets pace alone
                    due = [self._slots.popleft() for _ in range(weight)][-1]
            finally:
                self._asking -= weight
            delay = due - loop_time()
            if delay > 0:
                await asyncio.sleep(delay)
            if loop_time() - due <= LATE:
                return
            self.late += 1

    async def free_now(self) -> bool:
        """For typing and drafts: a slot now (one reserved and due, or a free one taken), or
        none, and the request is skipped. Never waits behind anyone."""
        if self._away():
            return True
        if self._turn.locked() or self._trying:
            return False  # answers are asking: no room for decoration
        self._drop_late()
        if self._slots and self._slots[0] <= loop_time():
            self._slots.popleft()
            return True
        self._trying = True
        try:
            return await self._take_now(self._scope, self._interval)
        except Exception as exc:
            self._unreachable(exc)
            return True
        finally:
            self._trying = False

    async def _reserved(self, count: int) -> bool:
        """Reserve `count` slots into `_slots`: whether the database answered."""
        asked = asyncio.ensure_future(self._reserve(self._scope, count * self._interval))
        try:
            delay = await asyncio.shield(asked)
        except asyncio.CancelledError:
            asked.add_done_callback(self._keep_late_reservation(count))
            raise
        except Exception as exc:
            self._unreachable(exc)
            return False
        self._add(count, delay)
        return True

    def _away(self) -> bool:
        return loop_time() < self._away_until

    def _unreachable(self, exc: Exception) -> None:
        logger.warning(
            "The shared flood budget is not reachable (%s): pacing this process alone for %.0f s",
            exc,
            AWAY_SECONDS,
        )
        self._away_until = loop_time() + AWAY_SECONDS

    def _keep_late_reservation(self, count: int) -> Callable[[asyncio.Future[float]], None]:
        """The reservation of a cancelled asker still counts: its slots go to the next ones."""

        def keep(done: asyncio.Future[float]) -> None:
            if not done.cancelled() and done.exception() is None:
                self._add(count, done.result())

        return keep

    def _add(self, count: int, delay: float) -> None:
        start = max(loop_time() + delay, self._slots[-1] + self._interval if self._slots else 0.0)
        self._slots.extend(start + i * self._interval for i in range(count))

    def _drop_late(self) -> None:
        stale = loop_time() - LATE
        while self._slots and self._slots[0] < stale:
            self._slots.popleft()


class SharedBudget:
    """The bot-wide budgets the rate limiter asks (a bot on PostgreSQL: several processes may
    send for it)."""

    def __init__(
        self,
        interval: float,
        reserve: Reserve,
        take_now: TakeNow,
        *,
        actions_share_limit: bool = False,
    ) -> None:
        self._messages = SharedPace("messages", interval, reserve, take_now)
        self._actions = (
            self._messages
            if actions_share_limit
            else SharedPace("actions", interval, reserve, take_now)
        )

    def pace(self, action: bool) -> SharedPace:
        return self._actions if action else self._messages
