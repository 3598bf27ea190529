"""An event loop whose clock jumps to the next timer whenever nothing is ready to run.

Pacing tests need time to pass — a second per message, a minute per group — without waiting
for it, and exact times to assert on. The loop runs real asyncio (futures, timers, timeouts,
cancellation); only `loop.time()` is virtual, and the code under test reads that clock.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _InstantSelector(selectors.BaseSelector):
    """The real selector, polled without blocking; a wait becomes a jump of the clock."""

    def __init__(self, clock: VirtualClockLoop) -> None:
        self._real = selectors.DefaultSelector()
        self._clock = clock

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._real.unregister(fileobj)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real.select(0)
        if not ready and timeout is not None and timeout > 0:
            self._clock.advance(timeout)
        elif not ready and timeout is None:
            raise RuntimeError("deadlock: nothing scheduled and nothing ready")
        return ready

    def get_map(self) -> Any:
        return self._real.get_map()

    def close(self) -> None:
        self._real.close()


class VirtualClockLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._now = 1000.0
        super().__init__(_InstantSelector(self))

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to the end on a fresh loop with a virtual clock."""
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def now() -> float:
    return asyncio.get_running_loop().time()
