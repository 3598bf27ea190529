"""The pure parts of taking updates in: what the webhook reads of an update, the lease gate's
decision, and which holders a process may know are dead."""

from __future__ import annotations

import json
import os

import pytest

from bot.ingress.identity import Identity
from bot.ingress.lease_gate import LeaseGate, margin
from bot.ingress.routing import chat_of, read_update

MESSAGE = {"message_id": 5, "chat": {"id": -100123, "type": "supergroup"}, "date": 1, "text": "hi"}
PRESS = {"id": "9", "from": {"id": 7}, "message": MESSAGE}


@pytest.mark.parametrize(
    ("update", "chat"),
    [
        ({"update_id": 1, "message": MESSAGE}, -100123),
        ({"update_id": 2, "edited_message": MESSAGE}, -100123),
        ({"update_id": 3, "callback_query": PRESS}, -100123),
        ({"update_id": 4, "my_chat_member": {"chat": {"id": 42}, "from": {"id": 42}}}, 42),
        ({"update_id": 5, "inline_query": {"id": "1", "from": {"id": 7}, "query": "x"}}, 0),
    ],
)  # fmt: skip
def test_an_update_belongs_to_its_chat_or_to_none(update: dict[str, object], chat: int) -> None:
    assert chat_of(update) == chat


def test_only_a_json_object_with_an_update_id_is_an_update() -> None:
    body = json.dumps({"update_id": 12, "message": MESSAGE}, ensure_ascii=False)
    assert read_update(body.encode()) == (12, -100123, body)
    for junk in (b"", b"[]", b"{}", b'{"update_id": "12"}', b'{"update_id": true}', b"\xff\xfe"):
        assert read_update(junk) is None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_gate_stops_a_holder_only_once_its_lease_may_have_passed_to_another() -> None:
    clock, stops = Clock(), []
    gate = LeaseGate(lambda: stops.append(clock.now), clock)
    gate.check()  # not holding: nothing to guard
    gate.renewed(asked_at=100.0, seconds=10.0)
    gate.alone = False

    clock.now = 100.0 + 10.0 - margin(10.0) - 0.01
    gate.check()
    assert stops == []
    clock.now += 0.02
    gate.check()
    assert stops == [clock.now]
    assert not gate.holding  # stopped once, not at every later check


def test_a_holder_alone_is_not_stopped_by_a_lapse_and_one_that_let_go_never() -> None:
    clock, stops = Clock(), []
    gate = LeaseGate(lambda: stops.append(clock.now), clock)
    gate.renewed(asked_at=100.0, seconds=4.0)
    clock.now = 200.0
    gate.check()  # alone: nobody could have taken it
    gate.alone = False
    gate.let_go()
    gate.check()
    assert stops == []


def test_a_process_knows_dead_only_holders_of_its_own_host_that_are_gone() -> None:
    me = Identity("host-a", os.getpid(), "aaaaaa")
    assert me.knows_dead(f"host-a:{os.getpid()}:bbbbbb")  # a predecessor with our pid
    assert me.knows_dead("host-a:999999999:cccccc")  # no such process
    assert not me.knows_dead(f"host-a:{os.getppid()}:dddddd")  # running
    assert not me.knows_dead("host-b:999999999:eeeeee")  # another host: wait for the lease
    assert not me.knows_dead(me.id)
    assert not me.knows_dead("nonsense")
