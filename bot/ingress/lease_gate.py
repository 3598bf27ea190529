"""Whether this process may still act for the chats it holds: its leases, checked on its own
clock before every Telegram request and every database write.

The database says who holds a lease; but a process that was paused (a stalled VM, SIGSTOP, a
network cut from the database) cannot ask it in time. So a holder counts on its monotonic clock
from the moment it last renewed its leases, less a margin, and once that time has passed it
stops: it is no longer sure nobody else answers its chats. Stopping is the caller's `on_lapse`
(the process exits: a supervisor starts it again) — before the request or the write that asked.

A process that knows of no other (none beat at its last renewal: one process on SQLite, or the
only one on PostgreSQL) has nobody to hand over to: a lapse — the database away for a while —
does not stop it, and it takes its leases again when the database is back.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


def margin(seconds: float) -> float:
    """How much of a lease the holder does not count on: slow answers of the database, clocks
    that tick a little apart."""
    return min(2.0, seconds / 4)


class LeaseGate:
    def __init__(
        self, on_lapse: Callable[[], None], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._on_lapse = on_lapse
        self._clock = clock
        self._until: float | None = None  # None: holds nothing (nothing to guard)
        self.alone = True  # no other process of the bot beat at the last renewal

    @property
    def holding(self) -> bool:
        return self._until is not None

    def renewed(self, asked_at: float, seconds: float) -> None:
        """Every lease this process holds was granted or renewed, asked at `asked_at`."""
        self._until = asked_at + seconds - margin(seconds)

    def added(self, asked_at: float, seconds: float) -> None:
        """One more lease was granted (the others keep their earlier time)."""
        until = asked_at + seconds - margin(seconds)
        self._until = until if self._until is None else min(self._until, until)

    def let_go(self) -> None:
        """Every lease handed over on purpose: nothing to guard any more."""
        self._until = None

    def lapsed(self) -> bool:
        return self._until is not None and self._clock() >= self._until

    def check(self) -> None:
        """Before acting for the bot: stop (`on_lapse`) if a lease may have passed on."""
        if self.lapsed() and not self.alone:
            self.lost()

    def lost(self) -> None:
        """Another process holds (or may hold) a lease of this one's: stop."""
        logger.error(
            "This process lost its leases and may no longer answer: stopping; the other "
            "processes answer its chats now"
        )
        self._until = None
        self._on_lapse()


def exit_now() -> None:
    """The process's `on_lapse`: exit at once (code 3), writing and sending nothing more; the
    supervisor (Docker's restart policy, systemd) starts it again."""
    logging.shutdown()
    os._exit(3)
