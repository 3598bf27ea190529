"""The meters behind the rate limiter, with explicit times: what a burst and a window allow."""

from __future__ import annotations

import math

from bot.delivery.flood_budget import Bucket, Window


def test_a_full_bucket_lets_its_burst_go_and_then_one_per_interval() -> None:
    bucket = Bucket(burst=3, interval=1.0)
    for _ in range(3):
        assert bucket.wait(0.0, in_flight=0) == 0
        bucket.record(0.0)

    assert bucket.wait(0.0, in_flight=0) == 1.0
    assert bucket.wait(0.4, in_flight=0) == 0.6
    assert bucket.used(0.5, in_flight=0) == 2.5


def test_requests_in_flight_hold_their_tokens_until_answered() -> None:
    bucket = Bucket(burst=2, interval=1.0)

    assert bucket.wait(0.0, in_flight=1) == 0
    assert bucket.wait(0.0, in_flight=2) == math.inf  # only an answer can free a token


def test_a_bucket_counts_from_the_answer_and_is_settled_once_full_again() -> None:
    bucket = Bucket(burst=1, interval=1.0)
    bucket.record(5.0)  # sent earlier, answered at 5

    assert bucket.wait(5.5, in_flight=0) == 0.5
    assert not bucket.settled(5.9)
    assert bucket.settled(6.0)


def test_a_bucket_refills_no_further_than_its_burst() -> None:
    bucket = Bucket(burst=2, interval=1.0)
    bucket.record(0.0)

    assert bucket.used(100.0, in_flight=0) == 0
    bucket.record(100.0)
    bucket.record(100.0)
    assert bucket.wait(100.0, in_flight=0) == 1.0


def test_a_window_allows_its_limit_in_any_period_however_quiet_before() -> None:
    window = Window(limit=2, period=60.0)
    window.record(0.0)
    window.record(10.0)

    assert window.wait(20.0, in_flight=0) == 40.0  # the first leaves the window at 60
    assert window.wait(60.0, in_flight=0) == 0
    assert window.wait(60.0, in_flight=1) == 10.0
    assert not window.settled(69.0)
    assert window.settled(70.0)
    assert Window(limit=1, period=1.0).wait(0.0, in_flight=1) == math.inf
