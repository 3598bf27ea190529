"""Two processes' limiters sharing one bot-wide flood budget, on a virtual clock.

The budget's row is kept here in memory with the arithmetic of `storage/flood.py` (whose
statements are tested on both engines in `test_leases_and_journal.py`); what these tests
check is the limiter's side: answers from two processes together stay within Telegram's
30 a second, typing is skipped rather than queued, a quiet bot answers at once, a process
alone asks nothing, and a database away never holds an answer up.
"""

from __future__ import annotations

import asyncio
import itertools

from bot.delivery.rate_limiter import TelegramRateLimiter, was_skipped
from bot.delivery.shared_budget import SharedBudget
from tests.unit.test_rate_limiter import START, Recorder, request
from tests.unit.virtual_clock import VirtualClockLoop, now, run

INTERVAL = 1 / 30


class FloodRow:
    """The `flood` table's rows as `FloodRepository` keeps them, on the loop's clock."""

    def __init__(self, round_trip: float = 0.002) -> None:
        self.tat: dict[str, float] = {}
        self.asked = 0
        self.down = False
        self._round_trip = round_trip

    async def reserve(self, scope: str, seconds: float) -> float:
        await self._ask()
        start = max(self.tat.get(scope, 0.0), now())
        self.tat[scope] = start + seconds
        return start - now()

    async def take(self, scope: str, seconds: float) -> bool:
        await self._ask()
        if self.tat.get(scope, 0.0) > now():
            return False
        self.tat[scope] = now() + seconds
        return True

    async def _ask(self) -> None:
        self.asked += 1
        await asyncio.sleep(self._round_trip)
        if self.down:
            raise ConnectionError("the database is away")


def limiter(row: FloodRow, *, others: bool = True) -> TelegramRateLimiter:
    return TelegramRateLimiter(shared=SharedBudget(INTERVAL, row.reserve, row.take, lambda: others))


def most_in_any_second(times: list[float]) -> int:
    """Requests in the busiest second (less a microsecond: the recorder rounds its times)."""
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t < start + 0.999999) for start in ordered)


def test_two_processes_answering_together_stay_within_thirty_a_second() -> None:
    async def scenario() -> tuple[Recorder, FloodRow]:
        row, recorder = FloodRow(), Recorder()
        first, second = limiter(row), limiter(row)
        await asyncio.gather(
            *(request(first, recorder, f"a{n}", chat_id=n) for n in range(1, 61)),
            *(request(second, recorder, f"b{n}", chat_id=n) for n in range(100, 160)),
        )
        return recorder, row

    recorder, row = run(scenario())
    assert len(recorder.sent) == 120
    assert most_in_any_second(recorder.times) <= 30
    # Paced, not slowed: 120 answers at 30 a second take four seconds, give or take a slot.
    assert 3.9 <= max(recorder.times) <= 4.2
    # Both processes were served all along (their batches interleave), not one after the other.
    assert sum(1 for name, at in recorder.sent if name.startswith("b") and at < 1.0) >= 10
    # Requests asking together reserve together: fewer questions to the database than answers.
    assert row.asked < len(recorder.sent)


def test_typing_takes_a_free_slot_of_the_bots_budget_or_is_skipped() -> None:
    async def scenario() -> tuple[list[bool], Recorder]:
        row, recorder = FloodRow(), Recorder()
        first, second = limiter(row), limiter(row)
        skipped = []
        await request(first, recorder, "typing", "sendChatAction", chat_id=1, priority="low")
        skipped.append(was_skipped())
        # The other process, within the same interval: the bot's slot is taken.
        await request(second, recorder, "typing", "sendChatAction", chat_id=2, priority="low")
        skipped.append(was_skipped())
        await asyncio.sleep(INTERVAL)
        await request(second, recorder, "typing", "sendChatAction", chat_id=2, priority="low")
        skipped.append(was_skipped())
        return skipped, recorder

    skipped, recorder = run(scenario())
    assert skipped == [False, True, False]
    assert len(recorder.sent) == 2


def test_a_quiet_bot_answers_at_once_and_spaces_only_a_burst() -> None:
    async def scenario() -> Recorder:
        row, recorder = FloodRow(), Recorder()
        paced = limiter(row)
        await request(paced, recorder, "alone", chat_id=1)
        await asyncio.sleep(1)
        await asyncio.gather(*(request(paced, recorder, f"m{n}", chat_id=n) for n in range(2, 5)))
        return recorder

    recorder = run(scenario())
    # One round trip to the database first; a burst goes one slot apart.
    assert recorder.times[0] < 0.01
    gaps = [b - a for a, b in zip(recorder.times[1:], recorder.times[2:], strict=False)]
    assert all(abs(gap - INTERVAL) < 0.001 for gap in gaps)


def test_a_process_alone_does_not_ask_the_database_and_keeps_its_bursts() -> None:
    async def scenario() -> tuple[Recorder, FloodRow]:
        row, recorder = FloodRow(), Recorder()
        alone = limiter(row, others=False)
        await asyncio.gather(*(request(alone, recorder, f"m{n}", chat_id=n) for n in range(1, 4)))
        await request(alone, recorder, "typing", "sendChatAction", chat_id=1, priority="low")
        return recorder, row

    recorder, row = run(scenario())
    assert recorder.times == [0.0] * 4  # at once, as one process's budgets allow
    assert row.asked == 0


def test_with_the_database_away_answers_go_at_the_local_pace_and_it_is_not_asked_again() -> None:
    async def scenario() -> tuple[Recorder, FloodRow]:
        row, recorder = FloodRow(), Recorder()
        row.down = True
        paced = limiter(row)
        await asyncio.gather(*(request(paced, recorder, f"m{n}", chat_id=n) for n in range(1, 6)))
        await request(paced, recorder, "typing", "sendChatAction", chat_id=1, priority="low")
        return recorder, row

    recorder, row = run(scenario())
    assert recorder.names == ["m1", "m2", "m3", "m4", "m5", "typing"]
    assert max(recorder.times) < 0.1  # one failed question each scope, no waiting behind it
    assert row.asked == 2  # messages and actions: each asked once, then left alone a while


def test_an_answer_cancelled_while_its_batch_is_reserved_leaves_the_slots_to_the_next() -> None:
    async def scenario() -> tuple[Recorder, FloodRow]:
        row, recorder = FloodRow(round_trip=0.05), Recorder()
        paced = limiter(row)
        cancelled = asyncio.ensure_future(request(paced, recorder, "gone", chat_id=1))
        await asyncio.sleep(0.01)  # its reservation is on the way
        cancelled.cancel()
        await asyncio.gather(cancelled, return_exceptions=True)
        await asyncio.sleep(0.1)  # the reservation arrives, for nobody now
        await request(paced, recorder, "next", chat_id=2)
        return recorder, row

    recorder, row = run(scenario())
    assert recorder.names == ["next"]
    assert row.asked == 1  # the next answer used the slot already reserved


def test_after_the_event_loop_was_blocked_the_waiting_requests_do_not_go_in_a_bunch() -> None:
    async def scenario() -> tuple[Recorder, FloodRow]:
        row, recorder = FloodRow(), Recorder()
        paced = limiter(row)

        async def busy_loop() -> None:
            await asyncio.sleep(0.01)  # six slots reserved; the first used, the next not due
            loop = asyncio.get_running_loop()
            assert isinstance(loop, VirtualClockLoop)
            loop.advance(0.5)  # blocked half a second, as under load

        await asyncio.gather(
            *(request(paced, recorder, f"m{n}", chat_id=n) for n in range(1, 7)), busy_loop()
        )
        return recorder, row

    recorder, row = run(scenario())
    assert len(recorder.sent) == 6
    after = [t for t in recorder.times if t >= 0.5]
    assert len(after) == 5
    # One interval apart, not all at once: the slots that passed meanwhile were not used (all
    # but the one slept for), new ones were reserved, so the bot's budget counts every send.
    gaps = [b - a for a, b in itertools.pairwise(after)]
    assert min(gaps) >= INTERVAL - 0.001
    assert row.tat["messages"] - START >= max(recorder.times)


def test_a_first_sign_of_life_waiting_for_the_bots_budget_goes_before_first_words() -> None:
    async def scenario() -> Recorder:
        row, recorder = FloodRow(), Recorder()
        paced = limiter(row)
        words = [
            request(paced, recorder, f"words{n}", "sendMessageDraft", chat_id=n, priority="words")
            for n in range(1, 9)
        ]
        ack = request(paced, recorder, "ack", "sendChatAction", chat_id=99, priority="ack")
        await asyncio.gather(*words, ack)
        return recorder

    recorder = run(scenario())
    # Asked after eight first drafts (all holding places in this process's budget already),
    # the acknowledgement takes the first slot that comes due after it asked.
    assert recorder.names.index("ack") <= 2
