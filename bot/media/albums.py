"""Albums: Telegram delivers an album as one message per item, sharing a `media_group_id`, with
no count and no end marker, and the caption on one item only. The first item the bot accepts
makes the inbox entry (so nothing is lost to a crash) and later items join it; the entry's turn
waits, in the chat's queue, until no item has come for `wait` seconds (at most `longest`).

In groups an item without the mention may arrive before the one with it: such items are held
in memory (their file ids only) until an addressed item accepts the album, or dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from storage import Attachment, ChatKey, InboxEntry

LONGEST_WAIT = 10.0  # seconds from an album's first item: then it is answered as it is


@dataclass(slots=True)
class Album:
    first: float = field(default_factory=time.monotonic)
    last: float = field(default_factory=time.monotonic)
    entry: InboxEntry | None = None  # the inbox entry, once an item was accepted (as joined)
    held: list[Attachment] = field(default_factory=list)  # unaddressed items, in memory
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def touch(self) -> None:
        self.last = time.monotonic()
        self.arrived.set()


class Albums:
    def __init__(self, wait: float, longest: float = LONGEST_WAIT) -> None:
        self._wait = wait
        self._longest = longest
        self._open: dict[tuple[ChatKey, str], Album] = {}
        self.lock = asyncio.Lock()  # an album's items are accepted one at a time

    def get(self, key: ChatKey, album_id: str) -> Album:
        """The album, opened now if it is new (or its earlier items were long ago)."""
        album = self._open.get((key, album_id))
        if album is None or time.monotonic() - album.last > self._longest:
            album = self._open[(key, album_id)] = Album()
            if len(self._open) > 1000:  # unaddressed albums nobody accepted
                self._forget_stale()
        return album

    async def settled(self, key: ChatKey, album_id: str) -> None:
        """Wait until the album has been quiet for the wait, then close it to new items."""
        album = self._open.get((key, album_id))
        while album is not None:
            now = time.monotonic()
            until = min(album.last + self._wait, album.first + self._longest)
            if now >= until:
                break
            album.arrived.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(until - now):
                    await album.arrived.wait()
        self._open.pop((key, album_id), None)

    def _forget_stale(self) -> None:
        now = time.monotonic()
        for k in [k for k, a in self._open.items() if now - a.last > self._longest]:
            del self._open[k]
