"""The tables the processes of one bot coordinate through, as the rest of the bot sees them:
the journal of Telegram's updates, named leases, the processes alive, the bot-wide flood budget,
and the web pages' single-use login links (any process may spend a link another issued).

Protocols like `storage.repositories`' (whose `Store` names these too), kept apart because they
are short-lived rows about who does what, not what the bot keeps for its users.
"""

from __future__ import annotations

from typing import Protocol

from storage.records import Lease, ProcessState, SignedIn


class UpdateJournal(Protocol):
    """As `storage/update_journal.py`'s `UpdateJournalRepository` implements it."""

    async def record(self, update_id: int, chat_id: int, body: str) -> bool:
        """Keep an update; False if it was already kept (a repeated delivery)."""
        ...

    async def pending(self, limit: int = 1000) -> list[tuple[int, int, str]]:
        """(update id, chat id, body), oldest first."""
        ...

    async def record_many(self, updates: list[tuple[int, int, str]]) -> int: ...

    async def done(self, update_id: int) -> None: ...

    async def done_many(self, update_ids: list[int]) -> None: ...

    async def waiting(self) -> int: ...

    async def forget_done(self) -> int: ...


class Leases(Protocol):
    """As `storage/leases.py`'s `LeaseRepository` implements it."""

    async def acquire(
        self, name: str, holder: str, seconds: float, *, dead: str | None = None
    ) -> int | None: ...

    async def acquire_many(
        self, names: list[str], holder: str, seconds: float, *, dead: frozenset[str] = frozenset()
    ) -> dict[str, int]: ...

    async def renew(self, name: str, holder: str, epoch: int, seconds: float) -> bool: ...

    async def release(self, name: str, holder: str, epoch: int) -> bool: ...

    async def renew_all(self, holder: str, seconds: float) -> dict[str, int]: ...

    async def held_by_others(self, names: list[str], holder: str) -> dict[str, str]: ...

    async def release_if_idle(self, name: str, holder: str, epoch: int, chat_id: int) -> bool: ...

    async def held_per_holder(self, prefix: str) -> dict[str, int]: ...

    async def holder(self, name: str) -> Lease | None: ...


class Processes(Protocol):
    """As `storage/leases.py`'s `ProcessRepository` implements it."""

    async def beat(self, process: str, host: str, pid: int, role: str) -> None: ...

    async def left(self, process: str) -> None: ...

    async def alive(self, within: float) -> list[ProcessState]: ...

    async def forget_gone(self) -> None: ...


class FloodBudget(Protocol):
    """As `storage/flood.py`'s `FloodRepository` implements it."""

    async def reserve(self, scope: str, seconds: float) -> float:
        """Reserve the next `seconds` of `scope`: how long until the reservation starts."""
        ...

    async def take(self, scope: str, seconds: float) -> bool:
        """Take the next slot only if it is free now: whether it was."""
        ...


class WebLogins(Protocol):
    """As `storage/web_logins.py`'s `WebLoginRepository` implements it."""

    async def issue(self, token_hash: str, signed: SignedIn, seconds: float) -> None: ...

    async def spend(self, token_hash: str) -> SignedIn | None:
        """The person of a valid, unspent link, spending it; None otherwise."""
        ...

    async def start_session(self, token_hash: str, signed: SignedIn, seconds: float) -> None: ...

    async def session_user(self, token_hash: str) -> SignedIn | None:
        """Whose live session this is; None otherwise."""
        ...

    async def end_sessions(self, user_id: int) -> int: ...

    async def forget_lapsed(self) -> None: ...
