"""The protocols of what the bot keeps about people, as people see it on the web pages: who an
owner let in (and who asked), and what "delete everything about me" deletes. Implemented by
`storage/people.py` and `storage/privacy.py`."""

from __future__ import annotations

from typing import Protocol

from storage.records import PersonRecord


class People(Protocol):
    """As `storage/people.py`'s `PeopleRepository` implements it."""

    async def asked(self, user_id: int, first_name: str, username: str | None) -> None: ...

    async def allowed(self, user_id: int) -> bool:
        """Whether an owner let this person in (ALLOWED_USERS is not kept here)."""
        ...

    async def set_allowed(self, user_id: int, allowed: bool) -> None: ...

    async def allowed_ids(self) -> frozenset[int]: ...

    async def listing(self) -> list[PersonRecord]: ...


class Privacy(Protocol):
    """As `storage/privacy.py`'s `PrivacyRepository` implements it."""

    async def forget_person(self, user_id: int, keep_windows: tuple[str, ...]) -> None:
        """Delete what a person's private chat left (the totals budgets count stay)."""
        ...
