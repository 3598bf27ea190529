"""Telegram pacing: answers wait for budget and survive 429s; typing and drafts give way."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from telegram.error import RetryAfter

from bot.delivery.rate_limiter import TelegramRateLimiter, was_skipped
from tests.conftest import Person, RunningBot
from tests.fakes.telegram_server import FakeTelegram


class Recorder:
    """A stand-in for the HTTP call: records when each request really went out."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[tuple[str, float]] = []
        self._failures = failures or []

    def call(self, name: str) -> Any:
        async def send() -> bool:
            if self._failures:
                raise self._failures.pop(0)
            self.sent.append((name, time.monotonic()))
            return True

        return send


async def request(
    limiter: TelegramRateLimiter,
    recorder: Recorder,
    name: str,
    endpoint: str = "sendMessage",
    chat_id: int | None = 1,
    priority: str | None = None,
) -> Any:
    data = {} if chat_id is None else {"chat_id": chat_id}
    limits = {"priority": priority} if priority else None
    return await limiter.process_request(recorder.call(name), (), {}, endpoint, data, limits)


async def test_answers_in_one_chat_are_paced_by_the_per_chat_limit() -> None:
    limiter = TelegramRateLimiter(per_chat=(1, 0.2))
    recorder = Recorder()

    await asyncio.gather(*(request(limiter, recorder, f"m{n}") for n in range(3)))

    times = [at for _, at in recorder.sent]
    assert [name for name, _ in recorder.sent] == ["m0", "m1", "m2"]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.19


async def test_other_chats_are_not_held_up_by_a_busy_one() -> None:
    limiter = TelegramRateLimiter(per_chat=(1, 5.0))
    recorder = Recorder()
    await request(limiter, recorder, "first", chat_id=1)

    started = time.monotonic()
    await request(limiter, recorder, "other chat", chat_id=2)

    assert time.monotonic() - started < 0.5


async def test_typing_and_drafts_do_not_use_the_chat_budget() -> None:
    limiter = TelegramRateLimiter(per_chat=(1, 5.0))
    recorder = Recorder()
    await request(limiter, recorder, "answer")

    await request(limiter, recorder, "typing", endpoint="sendChatAction")
    await request(limiter, recorder, "draft", endpoint="sendMessageDraft")

    assert [name for name, _ in recorder.sent] == ["answer", "typing", "draft"]


async def test_low_priority_is_skipped_when_the_group_budget_is_spent() -> None:
    limiter = TelegramRateLimiter(per_group=(2, 5.0))
    recorder = Recorder()
    await request(limiter, recorder, "a", chat_id=-100)
    await request(limiter, recorder, "b", chat_id=-100)

    result = await request(
        limiter, recorder, "edit", endpoint="editMessageText", chat_id=-100, priority="low"
    )

    assert result is True and was_skipped()
    assert [name for name, _ in recorder.sent] == ["a", "b"]
    assert limiter.skipped == 1


async def test_low_priority_gives_way_while_an_answer_waits() -> None:
    limiter = TelegramRateLimiter(overall=(1, 0.3))
    recorder = Recorder()
    await request(limiter, recorder, "first")
    waiting_answer = asyncio.create_task(request(limiter, recorder, "answer", chat_id=2))
    await asyncio.sleep(0)  # let the answer start waiting for the overall budget

    await request(limiter, recorder, "typing", endpoint="sendChatAction", chat_id=3)
    await waiting_answer

    assert [name for name, _ in recorder.sent] == ["first", "answer"]


async def test_a_429_pauses_the_chat_and_the_answer_is_retried() -> None:
    limiter = TelegramRateLimiter()
    recorder = Recorder(failures=[RetryAfter(1)])

    started = time.monotonic()
    await request(limiter, recorder, "answer")

    assert [name for name, _ in recorder.sent] == ["answer"]
    assert time.monotonic() - started >= 0.95


async def test_a_429_drops_a_draft_instead_of_retrying_it() -> None:
    limiter = TelegramRateLimiter()
    recorder = Recorder(failures=[RetryAfter(30)])

    result = await request(limiter, recorder, "draft", endpoint="sendMessageDraft")
    skipped_typing = await request(limiter, recorder, "typing", endpoint="sendChatAction")

    assert result is True and skipped_typing is True and was_skipped()
    assert recorder.sent == []  # paused chat: typing is skipped too


async def test_requests_without_a_chat_are_not_paced() -> None:
    limiter = TelegramRateLimiter(overall=(1, 10.0))
    recorder = Recorder()

    await request(limiter, recorder, "getUpdates", endpoint="getUpdates", chat_id=None)
    await request(limiter, recorder, "getMe", endpoint="getMe", chat_id=None)

    assert len(recorder.sent) == 2


async def test_a_telegram_429_on_the_answer_still_delivers_it_once(
    bot: RunningBot, alice: Person, telegram: FakeTelegram
) -> None:
    telegram.fail(
        "sendMessage",
        429,
        "Too Many Requests: retry after 1",
        parameters={"retry_after": 1},
    )
    alice.say("Hello")

    [answer] = await alice.replies(1)

    assert "Hello" in answer
    failed = [c for c in telegram.calls if c.method == "sendMessage" and not c.ok]
    assert len(failed) == 1


async def test_an_acknowledgement_may_use_the_reserve_that_drafts_leave_free() -> None:
    limiter = TelegramRateLimiter(overall=(5, 5.0), ack_patience=0.05)
    recorder = Recorder()
    for n in range(4):  # 4 of 5: the last fifth is the reserve
        await request(limiter, recorder, f"answer{n}", chat_id=10 + n)

    await request(limiter, recorder, "draft", endpoint="sendMessageDraft", chat_id=1)
    await request(limiter, recorder, "ack", endpoint="sendChatAction", chat_id=2, priority="ack")
    late = await request(
        limiter, recorder, "late ack", endpoint="sendChatAction", chat_id=3, priority="ack"
    )

    assert late is True and was_skipped()
    assert [name for name, _ in recorder.sent][4:] == ["ack"]


async def test_an_acknowledgement_waits_behind_answers_for_the_next_free_place() -> None:
    limiter = TelegramRateLimiter(overall=(1, 0.2))
    recorder = Recorder()
    await request(limiter, recorder, "first", chat_id=1)
    ack = asyncio.create_task(
        request(limiter, recorder, "ack", endpoint="sendChatAction", chat_id=2, priority="ack")
    )
    await asyncio.sleep(0)  # the acknowledgement queues first…
    answer = asyncio.create_task(request(limiter, recorder, "answer", chat_id=3))

    await asyncio.gather(ack, answer)

    assert [name for name, _ in recorder.sent] == ["first", "answer", "ack"]  # …answers go first
    times = [at for _, at in recorder.sent]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.19


async def test_a_request_counts_until_a_period_after_telegram_answered_it() -> None:
    limiter = TelegramRateLimiter(overall=(1, 0.2))
    answered_at: list[float] = []
    sent_at: list[float] = []

    async def slow_round_trip() -> bool:
        sent_at.append(time.monotonic())
        await asyncio.sleep(0.15)  # a slow network: Telegram may count it on arrival, late
        answered_at.append(time.monotonic())
        return True

    await asyncio.gather(
        *(
            limiter.process_request(slow_round_trip, (), {}, "sendMessage", {"chat_id": n}, None)
            for n in range(3)
        )
    )

    assert len(sent_at) == 3
    for answered, next_sent in zip(answered_at, sent_at[1:], strict=False):
        assert next_sent - answered >= 0.19


async def test_many_waiting_chats_are_served_in_arrival_order_within_the_limit() -> None:
    limiter = TelegramRateLimiter(overall=(10, 0.25))
    recorder = Recorder()

    tasks = []
    for n in range(40):
        tasks.append(asyncio.create_task(request(limiter, recorder, f"m{n}", chat_id=n)))
        await asyncio.sleep(0)  # each queues in turn
    await asyncio.gather(*tasks)

    assert [name for name, _ in recorder.sent] == [f"m{n}" for n in range(40)]
    times = [at for _, at in recorder.sent]
    assert all(later - earlier >= 0.24 for earlier, later in zip(times, times[10:], strict=False))


async def test_a_cancelled_waiter_leaves_its_place_to_the_next() -> None:
    limiter = TelegramRateLimiter(overall=(1, 0.2))
    recorder = Recorder()
    await request(limiter, recorder, "first", chat_id=1)
    abandoned = asyncio.create_task(request(limiter, recorder, "abandoned", chat_id=2))
    await asyncio.sleep(0)
    following = asyncio.create_task(request(limiter, recorder, "following", chat_id=3))
    await asyncio.sleep(0)

    abandoned.cancel()
    await following

    assert [name for name, _ in recorder.sent] == ["first", "following"]
    assert recorder.sent[1][1] - recorder.sent[0][1] < 0.3


async def test_previews_can_ask_before_rendering_whether_they_would_be_sent() -> None:
    limiter = TelegramRateLimiter(overall=(5, 5.0))
    recorder = Recorder()
    assert limiter.has_room(1, "sendMessageDraft")

    for n in range(3):  # 3 of 5: drafts leave the last 40 % to answers and acks
        await request(limiter, recorder, f"answer{n}", chat_id=10 + n)

    assert not limiter.has_room(1, "sendMessageDraft")
    assert await request(limiter, recorder, "draft", endpoint="sendMessageDraft") is True
    assert was_skipped()
