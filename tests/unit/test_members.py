"""Who the budgets count as members: ALLOWED_USERS, and those an owner let in from the web
pages (read from the database, changed at once by this process's own page)."""

from __future__ import annotations

from bot.config import AllowedUsers
from bot.usage.members import Members
from storage.database import Database


async def test_members_are_the_environments_and_those_let_in(store: Database) -> None:
    members = Members(AllowedUsers(user_ids=frozenset({1})), store.people)
    await store.people.set_allowed(2, True)  # another process's page, say
    assert members(1) and not members(2)

    await members.refresh()
    assert members(2)

    members.changed(3, True)  # this process's page
    assert members(3)
    members.changed(3, False)
    assert not members(3) and not members(4)


async def test_everyone_is_a_member_when_everyone_is_allowed(store: Database) -> None:
    members = Members(AllowedUsers(everyone=True), store.people)
    assert members(12345)
