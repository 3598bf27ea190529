"""One process's share of Telegram's bot-wide flood budget, kept in the database.

Telegram counts ~30 messages a second per bot; with several processes sending, each paces its
own requests (the rate limiter's local budgets choose which goes next) and then takes a slot of
the bot's budget (`storage/flood.py`: one number per scope, the time the next slot is free).

How a process takes its slots: one task per scope (`_dispatch`) reserves the next few slots in
one statement (as many as requests wait, up to `BATCH`), so a busy process asks the database a
few times a second and never polls it, and two processes interleave their batches fairly. As
each slot comes due it goes to the most urgent request waiting then — answers, then a
message's first sign of life, then first words (`flood_budget`'s priorities) — so the order
the local budgets keep survives the wait for the bot's budget. Typing refreshes and drafts only
take a slot free now, and are skipped otherwise.

Only while other processes of the bot are alive (`active`): alone, its local budgets keep
Telegram's limits with the bursts they allow (the shared even pace cost 1.16x the floor against
1.09x at 1,000 chats on one process). Processes look for each other every journal poll (0.25 s):
one that starts shares once it sees the others, they within a poll of its first beat (two
started at the same moment under full load drew a few 429s on typing in their first second).

Nothing here may hold an answer up for long: with the database away the local budgets pace
alone (429s, if any come, are waited out as before) and the database is not asked again for
`AWAY_SECONDS`. A slot is never used long after its time (a busy event loop would send it
bunched with the next ones, another process's among them), and this process never sends two
requests of a scope closer than one interval.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.delivery.flood_budget import ANSWER, loop_time

logger = logging.getLogger(__name__)

BATCH = 8  # slots one reservation takes at most (8 of 36 ms: about a quarter of a second)
LATE = 0.1  # a slot passed this long ago is dropped: sent now, the request would make a burst
AWAY_SECONDS = 5.0  # after the database failed to answer, the local budgets pace alone this long

# (scope, seconds) → seconds until the reservation starts.
Reserve = Callable[[str, float], Awaitable[float]]
# (scope, seconds) → whether the slot was free now, and taken.
TakeNow = Callable[[str, float], Awaitable[bool]]
_Waiter = tuple[int, int, int, asyncio.Future[None]]  # priority, arrival, weight, its turn


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
        self._waiting: list[_Waiter] = []  # a heap: the most urgent, then the oldest, first
        self._arrivals = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None
        self._last_sent = -1.0  # loop time of the last slot handed out
        self._trying = False  # a typing's take in flight: the next typing is skipped
        self._away_until = -1.0  # loop time until which the database is not asked

    async def slot(self, weight: int = 1, priority: int = ANSWER) -> None:
        """Wait for this request's slots (`weight`: an album's items) of the bot's budget."""
        if self._away():
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._arrivals), weight, turn))
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name=f"flood {self._scope}")
        await turn  # cancelled: the dispatcher passes over it

    async def free_now(self) -> bool:
        """For typing and drafts: a slot now (one reserved and due, or a free one taken), or
        none, and the request is skipped. Never waits behind anyone."""
        if self._away():
            return True
        if self._waiting or self._trying:
            return False  # others are waiting for slots: no room for decoration
        now = loop_time()
        self._drop_late(now)
        if self._slots and self._slots[0] <= now and now >= self._last_sent + self._interval:
            self._slots.popleft()
            self._last_sent = now
            return True
        self._trying = True
        try:
            taken = await self._take_now(self._scope, self._interval)
        except Exception as exc:
            self._unreachable(exc)
            return True
        finally:
            self._trying = False
        if taken:
            self._last_sent = loop_time()
        return taken

    async def _dispatch(self) -> None:
        """While requests wait: reserve slots, and hand each out as it comes due."""
        try:
            await self._hand_out()
        except Exception:  # never leave a request waiting for a turn that cannot come
            logger.exception("The shared flood budget failed: pacing this process alone")
            self._away_until = loop_time() + AWAY_SECONDS
        finally:
            self._release_all()

    async def _hand_out(self) -> None:
        slept = False
        while (head := self._next()) is not None:
            _, _, weight, turn = head
            now = loop_time()
            if not slept:  # a slot slept for is used even if the loop woke late, once:
                self._drop_late(now)  # else every late wake-up would cost a new reservation
            slept = False
            if len(self._slots) < weight:
                waiting = sum(w for _, _, w, t in self._waiting if not t.done())
                wanted = max(weight - len(self._slots), min(self._batch, waiting))
                if not await self._reserved(wanted):
                    return  # the database away: the local budgets pace alone
                continue
            due = max(self._slots[weight - 1], self._last_sent + self._interval)
            if due > now:
                await asyncio.sleep(due - now)
                slept = True
                continue  # a more urgent request may have come meanwhile: it goes first
            for _ in range(weight):
                self._slots.popleft()
            self._last_sent = now + (weight - 1) * self._interval
            heapq.heappop(self._waiting)
            turn.set_result(None)

    def _next(self) -> _Waiter | None:
        """The most urgent request still waiting (cancelled ones are dropped)."""
        while self._waiting and self._waiting[0][3].done():
            heapq.heappop(self._waiting)
        return self._waiting[0] if self._waiting else None

    async def _reserved(self, count: int) -> bool:
        """Reserve `count` slots into `_slots`: whether the database answered."""
        try:
            delay = await self._reserve(self._scope, count * self._interval)
        except Exception as exc:
            self._unreachable(exc)
            return False
        start = loop_time() + delay
        if self._slots:
            start = max(start, self._slots[-1] + self._interval)
        self._slots.extend(start + i * self._interval for i in range(count))
        return True

    def _release_all(self) -> None:
        for _, _, _, turn in self._waiting:
            if not turn.done():
                turn.set_result(None)
        self._waiting.clear()

    def _drop_late(self, now: float) -> None:
        while self._slots and self._slots[0] < now - LATE:
            self._slots.popleft()

    def _away(self) -> bool:
        return loop_time() < self._away_until

    def _unreachable(self, exc: Exception) -> None:
        logger.warning(
            "The shared flood budget is not reachable (%s): pacing this process alone for %.0f s",
            exc,
            AWAY_SECONDS,
        )
        self._away_until = loop_time() + AWAY_SECONDS


class SharedBudget:
    """The bot-wide budgets the rate limiter asks while `active` (other processes send too)."""

    def __init__(
        self,
        interval: float,
        reserve: Reserve,
        take_now: TakeNow,
        active: Callable[[], bool],
        *,
        actions_share_limit: bool = False,
    ) -> None:
        self.active = active
        self._messages = SharedPace("messages", interval, reserve, take_now)
        self._actions = (
            self._messages
            if actions_share_limit
            else SharedPace("actions", interval, reserve, take_now)
        )

    def pace(self, action: bool) -> SharedPace:
        return self._actions if action else self._messages
