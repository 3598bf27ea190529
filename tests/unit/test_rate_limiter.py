"""Telegram pacing on a virtual clock: bursts, refills, answers first, 429s honoured.

Each test runs the real limiter on an event loop whose clock jumps to the next timer, so the
times asserted are exact and a minute of group pacing takes no time at all.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.delivery.rate_limiter import TelegramRateLimiter, was_skipped
from tests.conftest import Person
from tests.fakes.telegram_server import FakeTelegram
from tests.running_bot import RunningBot
from tests.unit.virtual_clock import now, run

START = 1000.0  # the virtual clock's first reading


class Recorder:
    """A stand-in for the HTTP call: records when each request went out, after `round_trip`."""

    def __init__(self, failures: list[Exception] | None = None, round_trip: float = 0.0) -> None:
        self.sent: list[tuple[str, float]] = []
        self._failures = failures or []
        self._round_trip = round_trip

    def call(self, name: str) -> Any:
        async def send() -> bool:
            sent_at = now()
            if self._round_trip:
                await asyncio.sleep(self._round_trip)
            if self._failures:
                raise self._failures.pop(0)
            self.sent.append((name, round(sent_at - START, 6)))
            return True

        return send

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    @property
    def times(self) -> list[float]:
        return [at for _, at in self.sent]


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


async def together(*requests: Any) -> None:
    """Start the requests in this order (each queues before the next starts), then await all."""
    tasks = []
    for pending in requests:
        tasks.append(asyncio.ensure_future(pending))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)


def test_a_quiet_chat_gets_a_burst_at_once_then_one_a_second() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=3)
        recorder = Recorder()
        await together(*(request(limiter, recorder, f"m{n}") for n in range(6)))
        return recorder

    recorder = run(scenario())

    assert recorder.names == [f"m{n}" for n in range(6)]
    assert recorder.times == [0, 0, 0, 1, 2, 3]


def test_the_burst_refills_at_telegrams_rate_while_the_chat_is_quiet() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=3)
        recorder = Recorder()
        await together(*(request(limiter, recorder, f"first{n}") for n in range(3)))
        await asyncio.sleep(2)  # two tokens come back
        await together(*(request(limiter, recorder, f"then{n}") for n in range(3)))
        return recorder

    assert run(scenario()).times == [0, 0, 0, 2, 2, 3]


def test_a_burst_of_one_spaces_every_message_a_second_apart() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=1)
        recorder = Recorder()
        await together(*(request(limiter, recorder, f"m{n}") for n in range(3)))
        return recorder

    assert run(scenario()).times == [0, 1, 2]


def test_other_chats_are_not_held_up_by_a_busy_one() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=1)
        recorder = Recorder()
        await together(
            request(limiter, recorder, "a0", chat_id=1),
            request(limiter, recorder, "a1", chat_id=1),
            request(limiter, recorder, "b0", chat_id=2),
        )
        return recorder

    recorder = run(scenario())
    assert dict(recorder.sent) == {"a0": 0, "b0": 0, "a1": 1}


def test_a_group_gets_at_most_4_in_any_5_seconds_and_20_a_minute() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=3, group_burst=4)
        recorder = Recorder()
        await together(*(request(limiter, recorder, f"m{n}", chat_id=-100) for n in range(22)))
        return recorder

    times = run(scenario()).times

    assert times[:5] == [0, 0, 0, 1, 5]  # the chat's burst, its next second, the group's cap
    assert all(later - earlier >= 5 for earlier, later in zip(times, times[4:], strict=False))
    assert all(later - earlier >= 60 for earlier, later in zip(times, times[20:], strict=False))
    assert times[19] < 60 <= times[20]  # the 21st waits for the first to leave the minute


def test_a_bucket_paces_by_the_answers_without_losing_the_round_trip() -> None:
    """Telegram counts a request on arrival; counting from the answer is never earlier."""

    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=3)
        recorder = Recorder(round_trip=0.3)
        await together(*(request(limiter, recorder, f"m{n}") for n in range(6)))
        return recorder

    # The burst goes at once; the 4th waits for the first answer (0.3) plus a second, then
    # the rest follow a second apart: a slow network shifts the pace, it does not slow it.
    assert run(scenario()).times == [0, 0, 0, 1.3, 2.3, 3.3]


def test_a_window_counts_a_request_until_a_period_after_its_answer() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(1, 0.2))
        recorder = Recorder(round_trip=0.15)
        await together(*(request(limiter, recorder, f"m{n}", chat_id=n) for n in range(3)))
        return recorder

    assert run(scenario()).times == [0, 0.35, 0.7]


def test_typing_and_drafts_use_neither_the_chat_nor_the_message_budget() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(5, 5.0), chat_burst=1)
        recorder = Recorder()
        for chat in range(5):  # the message budget is spent, and chat 1's too
            await request(limiter, recorder, "answer", chat_id=chat)

        await request(limiter, recorder, "typing", endpoint="sendChatAction", chat_id=1)
        await request(limiter, recorder, "draft", endpoint="sendMessageDraft", chat_id=1)
        return recorder

    assert run(scenario()).sent[5:] == [("typing", 0), ("draft", 0)]


def test_with_the_shared_setting_typing_gives_way_to_the_messages() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(2, 5.0), actions_share_limit=True)
        recorder = Recorder()
        await request(limiter, recorder, "answer", chat_id=1)
        await request(limiter, recorder, "answer", chat_id=2)

        result = await request(limiter, recorder, "typing", endpoint="sendChatAction", chat_id=3)
        assert result is True and was_skipped()
        return recorder

    assert run(scenario()).names == ["answer", "answer"]


def test_questions_about_a_chat_spend_only_the_overall_budget() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=1, group_burst=1)
        recorder = Recorder()
        await request(limiter, recorder, "answer", chat_id=-100)
        await request(limiter, recorder, "admins", endpoint="getChatAdministrators", chat_id=-100)
        await request(limiter, recorder, "next answer", chat_id=-100)
        return recorder

    assert run(scenario()).sent == [("answer", 0), ("admins", 0), ("next answer", 5)]


def test_an_acknowledgement_waits_behind_answers_for_the_next_free_place() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(1, 0.2), actions_share_limit=True)
        recorder = Recorder()
        await request(limiter, recorder, "first", chat_id=1)
        await together(
            request(limiter, recorder, "ack", "sendChatAction", chat_id=2, priority="ack"),
            request(limiter, recorder, "answer", chat_id=3),  # queued second, served first
        )
        return recorder

    recorder = run(scenario())
    assert recorder.sent == [("first", 0), ("answer", 0.2), ("ack", 0.4)]


def test_acknowledgements_are_not_held_up_by_answers_in_their_own_budget() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(1, 0.2))
        recorder = Recorder()
        await request(limiter, recorder, "first", chat_id=1)
        await together(
            request(limiter, recorder, "answer", chat_id=3),
            request(limiter, recorder, "ack", "sendChatAction", chat_id=2, priority="ack"),
        )
        return recorder

    recorder = run(scenario())
    assert recorder.sent == [("first", 0), ("ack", 0), ("answer", 0.2)]


def test_every_chat_gets_a_sign_of_life_before_any_gets_its_first_words() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(1, 1.0))
        recorder = Recorder()
        await request(limiter, recorder, "typing 1", "sendChatAction", chat_id=1, priority="ack")
        await together(
            request(limiter, recorder, "words 1", "sendMessageDraft", 1, priority="words"),
            request(limiter, recorder, "typing 2", "sendChatAction", 2, priority="ack"),
            request(limiter, recorder, "draft 3", "sendMessageDraft", chat_id=3),
            request(limiter, recorder, "typing 3", "sendChatAction", 3, priority="ack"),
        )
        return recorder

    # The plain draft finds no room and is skipped; the first words wait for both typings.
    assert run(scenario()).sent == [("typing 1", 0), ("typing 2", 1), ("typing 3", 2),
                                    ("words 1", 3)]  # fmt: skip


def test_an_acknowledgement_may_use_the_reserve_that_drafts_leave_free() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(5, 5.0), ack_patience=0.05)
        recorder = Recorder()
        for n in range(4):  # 4 of 5 actions: more than the 60 % drafts may use
            await request(limiter, recorder, f"ack{n}", "sendChatAction", 10 + n, priority="ack")

        await request(limiter, recorder, "draft", endpoint="sendMessageDraft", chat_id=1)
        await request(limiter, recorder, "ack", "sendChatAction", chat_id=2, priority="ack")
        late = await request(limiter, recorder, "late", "sendChatAction", chat_id=3, priority="ack")
        assert late is True and was_skipped()
        return recorder

    assert run(scenario()).names[4:] == ["ack"]


def test_low_priority_is_skipped_when_the_group_budget_is_spent() -> None:
    async def scenario() -> tuple[Recorder, TelegramRateLimiter]:
        limiter = TelegramRateLimiter(group_burst=2)
        recorder = Recorder()
        await request(limiter, recorder, "a", chat_id=-100)
        await request(limiter, recorder, "b", chat_id=-100)

        result = await request(
            limiter, recorder, "edit", endpoint="editMessageText", chat_id=-100, priority="low"
        )
        assert result is True and was_skipped()
        return recorder, limiter

    recorder, limiter = run(scenario())
    assert recorder.names == ["a", "b"]
    assert limiter.skipped == 1


def test_an_interim_edit_leaves_a_quiet_chat_room_for_its_answer() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=3)
        recorder = Recorder()
        await request(limiter, recorder, "edit", "editMessageText", chat_id=5, priority="low")
        await request(limiter, recorder, "edit again", "editMessageText", 5, priority="low")
        await request(limiter, recorder, "answer", chat_id=5)
        return recorder

    # The first edit may spend a full bucket's token, the second would eat into the reserve.
    assert run(scenario()).sent == [("edit", 0), ("answer", 0)]


def test_low_priority_gives_way_while_an_answer_waits() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(1, 0.3))
        recorder = Recorder()
        await request(limiter, recorder, "first", chat_id=1)
        waiting = asyncio.ensure_future(request(limiter, recorder, "answer", chat_id=2))
        await asyncio.sleep(0)  # the answer waits for the overall budget

        await request(limiter, recorder, "edit", "editMessageText", chat_id=3, priority="low")
        await waiting
        return recorder

    assert run(scenario()).names == ["first", "answer"]


def test_a_429_pauses_the_chat_and_the_answer_is_retried_after_retry_after() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter()
        recorder = Recorder(failures=[RetryAfter(7)])
        await together(
            request(limiter, recorder, "answer", chat_id=1),
            request(limiter, recorder, "other chat", chat_id=2),
        )
        return recorder

    assert dict(run(scenario()).sent) == {"other chat": 0, "answer": 7}


def test_a_paused_chat_gets_no_typing_until_telegram_allows_it() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter()
        recorder = Recorder(failures=[RetryAfter(30)])
        draft = await request(limiter, recorder, "draft", endpoint="sendMessageDraft")
        assert draft is True and was_skipped()  # a 429 drops a draft instead of retrying it
        typing = await request(limiter, recorder, "typing", endpoint="sendChatAction")
        assert typing is True and was_skipped()
        await asyncio.sleep(30)
        await request(limiter, recorder, "typing later", endpoint="sendChatAction")
        return recorder

    assert run(scenario()).sent == [("typing later", 30)]


def test_answers_give_up_after_the_retries_and_raise_the_429() -> None:
    async def scenario() -> None:
        limiter = TelegramRateLimiter(max_retries=1)
        recorder = Recorder(failures=[RetryAfter(1), RetryAfter(1)])
        await request(limiter, recorder, "answer")

    with pytest.raises(RetryAfter):
        run(scenario())


def test_requests_without_a_chat_are_not_paced() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(1, 10.0))
        recorder = Recorder()
        await request(limiter, recorder, "getUpdates", endpoint="getUpdates", chat_id=None)
        await request(limiter, recorder, "getMe", endpoint="getMe", chat_id=None)
        return recorder

    assert run(scenario()).sent == [("getUpdates", 0), ("getMe", 0)]


def test_many_waiting_chats_are_served_in_arrival_order_within_the_limit() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(10, 0.25))
        recorder = Recorder()
        await together(*(request(limiter, recorder, f"m{n}", chat_id=n) for n in range(40)))
        return recorder

    recorder = run(scenario())
    assert recorder.names == [f"m{n}" for n in range(40)]
    assert recorder.times == [0.25 * (n // 10) for n in range(40)]


def test_a_cancelled_waiter_leaves_its_place_to_the_next() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(overall=(1, 0.2))
        recorder = Recorder()
        await request(limiter, recorder, "first", chat_id=1)
        abandoned = asyncio.ensure_future(request(limiter, recorder, "abandoned", chat_id=2))
        await asyncio.sleep(0)
        following = asyncio.ensure_future(request(limiter, recorder, "following", chat_id=3))
        await asyncio.sleep(0)

        abandoned.cancel()
        await following
        return recorder

    assert run(scenario()).sent == [("first", 0), ("following", 0.2)]


def test_previews_can_ask_before_rendering_whether_they_would_be_sent() -> None:
    async def scenario() -> None:
        limiter = TelegramRateLimiter(overall=(5, 5.0))
        recorder = Recorder()
        assert limiter.has_room(1, "sendMessageDraft")

        for n in range(3):  # 3 of 5: drafts leave the last 40 % to acknowledgements
            await request(limiter, recorder, f"draft{n}", "sendMessageDraft", chat_id=10 + n)

        assert not limiter.has_room(1, "sendMessageDraft")
        assert limiter.has_room(1, "sendMessage")  # messages have their own budget
        assert await request(limiter, recorder, "draft", endpoint="sendMessageDraft") is True
        assert was_skipped()

    run(scenario())


def test_chats_quiet_for_a_while_are_forgotten() -> None:
    async def scenario() -> int:
        limiter = TelegramRateLimiter()
        recorder = Recorder()
        for chat in range(1001):
            await request(limiter, recorder, "answer", chat_id=chat)
        await asyncio.sleep(1)  # every bucket is full again
        await request(limiter, recorder, "answer", chat_id=5000)
        return len(limiter._chats)

    assert run(scenario()) == 1


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


def test_an_album_spends_as_many_messages_as_it_has_items() -> None:
    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=3)
        recorder = Recorder()
        album = {"chat_id": 1, "media": [{}, {}, {}]}
        await limiter.process_request(recorder.call("album"), (), {}, "sendMediaGroup", album, None)
        await request(limiter, recorder, "text")  # the burst of 3 is spent: it waits a second
        return recorder

    assert run(scenario()).sent == [("album", 0), ("text", 1)]


def test_an_album_bigger_than_the_burst_waits_for_the_whole_burst_then_leaves_it_in_debt() -> None:
    """Ten charts to a chat whose burst is three: sent once the bucket is full (not never),
    and the chat's next message waits for the debt (ten messages) to be paid."""

    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=3)
        recorder = Recorder()
        await request(limiter, recorder, "text")
        album = {"chat_id": 1, "media": [{}] * 10}
        await limiter.process_request(recorder.call("album"), (), {}, "sendMediaGroup", album, None)
        await request(limiter, recorder, "after")
        return recorder

    assert run(scenario()).sent == [("text", 0), ("album", 1), ("after", 9)]


def test_a_big_album_in_a_group_fits_its_short_window() -> None:
    """A group allows 4 messages in any 5 s: an album of 6 goes when the window is empty."""

    async def scenario() -> Recorder:
        limiter = TelegramRateLimiter(chat_burst=3)
        recorder = Recorder()
        album = {"chat_id": -100, "media": [{}] * 6}
        await limiter.process_request(recorder.call("album"), (), {}, "sendMediaGroup", album, None)
        return recorder

    assert run(scenario()).sent == [("album", 0)]
