"""How many requests may go to Telegram now, and which waiting request goes next.

Two meters describe Telegram's limits (the evidence for the numbers is in `rate_limiter.py`):
- `Window`: at most `limit` requests in any `period` (the overall 30 a second, a group's 20 a
  minute): a hard cap, however quiet the bot was before.
- `Bucket`: a token bucket, `burst` requests at once, then one every `interval` (a chat's one
  message a second "with short bursts"). Kept as one number, the time the bucket is full again
  (GCRA), so a chat costs a float, not a list of timestamps.

Both count a request from the moment Telegram *answered* it, and count requests in flight as
spent: Telegram counts a request when it arrives, which the bot cannot see, and an answer comes
after the arrival. So however the network or a busy event loop bunches requests, Telegram never
sees more than the meter allowed. A bucket with a burst of two or more pays nothing for that
while busy (the next token is due an interval after the previous one, not after its answer); a
window pays one round trip per period.

A `Budget` holds the meters one scope shares (a chat, a group, the bot) and hands out places to
waiters by priority, waking exactly its next waiter when one frees: a thousand waiting chats cost
one timer, not a thousand polling loops. All times come from the event loop's clock, so the
tests can run the limiter on a virtual clock.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from typing import Protocol

# Priorities of the requests that wait, highest first: answers, a message's first sign of
# life, then the first words of an answer whose chat already shows "typing…".
ANSWER, ACK, FIRST_WORDS = 0, 1, 2


_Ticket = tuple[asyncio.Future[None], int]  # a waiter, and how many places it counts for


def loop_time() -> float:
    """The event loop's clock (monotonic in production, virtual in the limiter's tests)."""
    return asyncio.get_running_loop().time()


class Meter(Protocol):
    capacity: int  # requests it allows at once

    def wait(self, now: float, in_flight: int) -> float:
        """Seconds until one more request may go; infinite while only requests in flight
        hold the places (their answers free them)."""
        ...

    def used(self, now: float, in_flight: int) -> float:
        """Places taken now, in flight included."""
        ...

    def record(self, answered_at: float) -> None:
        """A request was answered: it counts from now."""
        ...

    def settled(self, now: float) -> bool:
        """Nothing counted any more: the meter is as if new and may be forgotten."""
        ...


class Window:
    """At most `limit` requests in any `period` seconds."""

    __slots__ = ("_answered", "capacity", "period")

    def __init__(self, limit: int, period: float) -> None:
        self.capacity = limit
        self.period = period
        self._answered: deque[float] = deque()

    def _forget(self, now: float) -> deque[float]:
        answered = self._answered
        while answered and answered[0] <= now - self.period:
            answered.popleft()
        return answered

    def wait(self, now: float, in_flight: int) -> float:
        answered = self._forget(now)
        excess = len(answered) + in_flight - self.capacity + 1  # places that must free first
        if excess <= 0:
            return 0.0
        if excess <= len(answered):
            return answered[excess - 1] + self.period - now
        return math.inf

    def used(self, now: float, in_flight: int) -> float:
        return len(self._forget(now)) + in_flight

    def record(self, answered_at: float) -> None:
        self._answered.append(answered_at)

    def settled(self, now: float) -> bool:
        return not self._forget(now)


class Bucket:
    """`burst` requests at once, then one every `interval` seconds."""

    __slots__ = ("_full_at", "capacity", "interval")

    def __init__(self, burst: int, interval: float) -> None:
        self.capacity = burst
        self.interval = interval
        self._full_at = -math.inf  # when every token is back

    def wait(self, now: float, in_flight: int) -> float:
        spare = self.capacity - in_flight - 1  # tokens that must be left after this one
        if spare < 0:
            return math.inf
        return max(0.0, self._full_at - spare * self.interval - now)

    def used(self, now: float, in_flight: int) -> float:
        return max(0.0, self._full_at - now) / self.interval + in_flight

    def record(self, answered_at: float) -> None:
        self._full_at = max(self._full_at, answered_at) + self.interval

    def settled(self, now: float) -> bool:
        return self._full_at <= now


class Budget:
    """Places shared by every request to one scope; waiters served by priority, then in order."""

    __slots__ = ("_in_flight", "_meters", "_queues", "_timer", "paused_until")

    def __init__(self, *meters: Meter) -> None:
        self._meters = meters
        self.paused_until = -math.inf  # a 429's retry_after
        self._in_flight = 0
        self._queues: tuple[deque[_Ticket], ...] = (deque(), deque(), deque())
        self._timer: asyncio.TimerHandle | None = None

    def wait_time(self, now: float, weight: int = 1) -> float:
        """Seconds until a place frees for a request that counts `weight` times (an album);
        infinite while only requests in flight hold the places. A heavy request waits until
        its weight is free, up to the meter's whole capacity, and then leaves it in debt (as
        Telegram lets a big album through a quiet chat), never for more than there is."""
        wait = max(
            meter.wait(now, self._in_flight + min(weight, meter.capacity) - 1)
            for meter in self._meters
        )
        return max(wait, self.paused_until - now, 0.0)

    def paused(self, now: float) -> bool:
        return self.paused_until > now

    def has_room(self, now: float, reserve: float = 0.0) -> bool:
        """A place now that nobody waits for, with `reserve` of each meter left over."""
        if any(self._queues) or self.wait_time(now) > 0:
            return False
        return all(
            meter.used(now, self._in_flight) + 1 <= max(1, int(meter.capacity * (1 - reserve)))
            for meter in self._meters
        )

    def idle(self, now: float) -> bool:
        """Nothing in flight, waiting or counted: the budget may be forgotten."""
        return (
            not self._in_flight
            and not any(self._queues)
            and not self.paused(now)
            and all(meter.settled(now) for meter in self._meters)
        )

    def take(self) -> None:
        self._in_flight += 1

    def done(self, *, answered: bool = True, weight: int = 1) -> None:
        """The request ended; if it reached Telegram, it counts (`weight` times) from now."""
        self._in_flight -= 1
        if answered:
            now = loop_time()
            for meter in self._meters:
                for _ in range(weight):
                    meter.record(now)
        self._serve()

    async def acquire(self, priority: int, weight: int = 1) -> None:
        """Wait for a place (`weight` of them: see `wait_time`), behind everyone of the same or
        higher priority."""
        if not any(self._queues[: priority + 1]) and self.wait_time(loop_time(), weight) == 0:
            self.take()
            return
        ticket: _Ticket = (asyncio.get_running_loop().create_future(), weight)
        self._queues[priority].append(ticket)
        self._serve()
        try:
            await ticket[0]
        except asyncio.CancelledError:
            if ticket[0].cancelled():
                if ticket in self._queues[priority]:
                    self._queues[priority].remove(ticket)
            else:  # the place was ours as we were cancelled: give it back
                self.done(answered=False)
            raise

    def _serve(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for queue in self._queues:
            while queue:
                wait = self.wait_time(loop_time(), queue[0][1])
                if wait > 0:
                    if wait != math.inf:  # else the next `done()` serves
                        self._timer = asyncio.get_running_loop().call_later(wait, self._serve)
                    return
                ticket, _ = queue.popleft()
                if not ticket.done():  # a cancelled waiter may not have left the queue yet
                    self.take()
                    ticket.set_result(None)
