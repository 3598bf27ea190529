"""The webhook journal, named leases and the processes table, on both engines: the pieces that
let several processes share one bot (a repeated update kept once, one holder per lease and
epoch, times by the database's clock)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.database import Database
from storage.engines import now_text
from storage.records import ChatKey


async def test_an_update_is_kept_once_and_handed_out_oldest_first_until_done(
    store: Database,
) -> None:
    assert await store.journal.record(12, -100, '{"update_id": 12}')
    assert await store.journal.record(11, 5, '{"update_id": 11}')
    assert not await store.journal.record(12, -100, '{"update_id": 12, "again": true}')

    assert await store.journal.pending() == [
        (11, 5, '{"update_id": 11}'),
        (12, -100, '{"update_id": 12}'),
    ]
    await store.journal.done(11)
    assert await store.journal.pending() == [(12, -100, '{"update_id": 12}')]
    assert await store.journal.waiting() == 1
    # A handled update is still known: delivered again, it is not kept (nor answered) twice.
    assert not await store.journal.record(11, 5, '{"update_id": 11}')


async def test_handled_updates_are_forgotten_after_a_day_and_pending_ones_never(
    store: Database,
) -> None:
    for update_id in (1, 2, 3):
        await store.journal.record(update_id, 7, "{}")
    await store.journal.done(1)
    await store.journal.done(2)
    await store.engine.commit(
        "age the updates",
        [("UPDATE tg_updates SET received_at = ? WHERE update_id IN (1, 3)",
          (now_text(timedelta(hours=26)),))],
    )  # fmt: skip

    assert await store.journal.forget_done() == 1
    assert [u for u, _, _ in await store.journal.pending()] == [3]
    assert not await store.journal.record(2, 7, "{}")  # done, but not a day old: still known


async def test_a_lease_has_one_holder_until_it_lapses_or_is_handed_over(store: Database) -> None:
    leases = store.leases
    assert await leases.acquire("bot", "a", 30) == 1
    assert await leases.acquire("bot", "b", 30) is None
    assert await leases.renew("bot", "a", 1, 30)
    assert not await leases.renew("bot", "b", 1, 30)
    held = await leases.holder("bot")
    assert held is not None and held.holder == "a" and 29 < held.seconds_left <= 30.5

    assert await leases.release("bot", "a", 1)
    assert await leases.acquire("bot", "b", 30) == 2  # at once, and in a new epoch
    assert not await leases.renew("bot", "a", 1, 30)  # the old holder's epoch is over


async def test_a_lapsed_lease_or_a_dead_holders_is_taken_and_cannot_be_renewed(
    store: Database,
) -> None:
    leases = store.leases
    assert await leases.acquire("bot", "a", 0.05) == 1
    await asyncio.sleep(0.1)  # the database's clock must pass the expiry; nothing to await
    assert not await leases.renew("bot", "a", 1, 30)
    assert await leases.acquire("bot", "b", 30) == 2
    assert await leases.acquire("bot", "c", 30) is None
    assert await leases.acquire("bot", "c", 30, dead="b") == 3  # c knows b has died


async def test_racing_processes_get_one_lease_each_epoch(store: Database) -> None:
    """Many takers at once, round after round: exactly one wins each epoch."""
    leases = store.leases
    epochs: list[int] = []
    for round_ in range(20):
        won = await asyncio.gather(
            *(leases.acquire("poller", f"p{round_}-{n}", 30) for n in range(5))
        )
        [epoch] = [e for e in won if e is not None]
        epochs.append(epoch)
        held = await leases.holder("poller")
        assert held is not None and held.epoch == epoch
        assert await leases.release("poller", held.holder, epoch)
    assert epochs == list(range(1, 21))


async def test_processes_beat_and_the_silent_ones_are_not_alive(store: Database) -> None:
    await store.processes.beat("h:1:a", "h", 1, "answering")
    await store.processes.beat("h:2:b", "h", 2, "standby")
    silent = now_text(timedelta(seconds=60))
    await store.engine.commit(
        "silence one", [("UPDATE processes SET heartbeat = ? WHERE id = 'h:2:b'", (silent,))]
    )

    [alive] = await store.processes.alive(within=30)
    assert (alive.id, alive.host, alive.pid, alive.role) == ("h:1:a", "h", 1, "answering")
    assert 0 <= alive.age < 5
    await store.processes.left("h:1:a")
    assert await store.processes.alive(within=30) == []


async def test_the_shared_flood_budget_gives_one_slot_per_interval_whoever_asks(
    store: Database,
) -> None:
    interval = 0.5
    assert await store.flood.take("messages", interval)
    assert not await store.flood.take("messages", interval)  # another process, at once
    assert await store.flood.take("actions", interval)  # a scope of its own
    # A reservation always succeeds, starting where the slots taken before end.
    wait = await store.flood.reserve("messages", 3 * interval)
    assert 0.3 < wait <= interval
    later = await store.flood.reserve("messages", interval)
    assert 3 * interval - 0.2 < later - wait <= 3 * interval
    assert not await store.flood.take("messages", interval)


async def test_a_reservation_of_a_quiet_budget_starts_now(store: Database) -> None:
    assert await store.flood.reserve("messages", 0.2) == 0.0
    assert await store.flood.reserve("actions", 0.2) == 0.0


async def test_a_process_renews_all_its_leases_at_once_and_sees_who_holds_the_others(
    store: Database,
) -> None:
    leases = store.leases
    assert await leases.acquire("chat:1", "a", 30) == 1
    assert await leases.acquire("chat:2", "a", 30) == 1
    assert await leases.acquire("chat:3", "b", 30) == 1
    assert await leases.release("chat:2", "a", 1)

    assert await leases.renew_all("a", 30) == {"chat:1": 1}  # not the one handed over
    assert await leases.held_by_others(["chat:1", "chat:2", "chat:3", "chat:4"], "a") == {
        "chat:3": "b"
    }


async def test_a_quiet_chat_is_handed_over_but_not_one_with_an_update_waiting(
    store: Database,
) -> None:
    leases = store.leases
    assert await leases.acquire("chat:7", "a", 30) == 1
    await store.journal.record(1, 7, "{}")
    assert not await leases.release_if_idle("chat:7", "a", 1, 7)
    await store.journal.done(1)
    assert await leases.release_if_idle("chat:7", "a", 1, 7)
    assert await leases.acquire("chat:7", "b", 30) == 2


async def test_many_leases_are_taken_in_one_statement_skipping_those_held_by_the_living(
    store: Database,
) -> None:
    leases = store.leases
    assert await leases.acquire("chat:2", "b", 30) == 1
    assert await leases.acquire("chat:3", "gone", 30) == 1

    taken = await leases.acquire_many(
        ["chat:1", "chat:2", "chat:3"], "a", 30, dead=frozenset({"gone"})
    )

    assert taken == {"chat:1": 1, "chat:3": 2}
    assert await leases.renew_all("a", 30) == {"chat:1": 1, "chat:3": 2}


async def test_the_chats_each_process_holds_are_counted(store: Database) -> None:
    assert await store.leases.acquire("chat:1", "a", 30) == 1
    assert await store.leases.acquire("chat:2", "a", 30) == 1
    assert await store.leases.held_per_holder("chat:") == {"a": 2}


async def test_chats_with_unanswered_messages_and_no_holder_are_found_for_another_process(
    store: Database,
) -> None:
    for chat in (1, -100, 3):
        await store.inbox.add(ChatKey(chat), message_id=7, private=chat > 0, text="hi")
    assert await store.leases.acquire("chat:1", "a", 30) == 1  # answered by a live process
    assert await store.leases.acquire("chat:-100", "b", 30) == 1
    assert await store.leases.release("chat:-100", "b", 1)  # its process stopped: handed over
    assert sorted(await store.inbox.chats_waiting()) == [-100, 1, 3]
    assert sorted(await store.inbox.chats_waiting(unheld=True)) == [-100, 3]
