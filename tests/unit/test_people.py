"""Who an owner let in from the web pages, and who asked, on both engines."""

from __future__ import annotations

from storage.database import Database


async def test_strangers_who_asked_and_people_let_in_are_listed(store: Database) -> None:
    people = store.people
    await people.asked(7, "Mallory", None)
    await people.asked(8, "Bob", "bob")
    await people.asked(8, "Bobby", "bobby")  # the name as Telegram gives it now
    assert not await people.allowed(8)

    await people.set_allowed(8, True)
    await people.set_allowed(9, True)  # let in before writing (an id the owner knows)

    assert await people.allowed(8) and await people.allowed(9)
    listed = await people.listing()
    assert [(p.user_id, p.allowed, p.asks) for p in listed] == [
        (8, True, 2), (9, True, 0), (7, False, 1),
    ]  # fmt: skip
    assert listed[0].first_name == "Bobby" and listed[0].username == "bobby"
    assert listed[0].asked_at is not None and len(listed[0].asked_at) == 16

    await people.set_allowed(8, False)
    assert not await people.allowed(8)
