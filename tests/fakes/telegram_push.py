"""The fake Telegram's webhook side: it posts updates to the bot as the Bot API server's
`WebhookActor` does (read in tdlib/telegram-bot-api; ../shared/research/scale.md §1).

- One queue per chat for messages (a button press: per user; other kinds: each its own), and
  only a queue's front update is in flight: the next one goes after a 2xx.
- At most `max_connections` requests at once.
- A failed delivery (non-2xx, refused connection, timeout) is tried again at once the first
  time, or after the response's Retry-After; then the wait doubles, up to `longest_wait`.
- Every request carries the secret header; getUpdates is refused (409) while a webhook is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_QUEUE = 3 << 33  # a button press's queue: its user's, apart from messages


def queue_of(update: dict[str, Any]) -> int:
    """The delivery queue an update waits in (the server's `webhook_queue_id`)."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    if "callback_query" in update:
        return int(update["callback_query"]["from"]["id"]) + CALLBACK_QUEUE
    return -(1 << 60) - int(update["update_id"])  # a queue of its own


@dataclass
class Delivery:
    update_id: int
    status: int  # 0: no answer (refused, timed out)
    at: float


@dataclass
class Webhook:
    url: str
    secret: str | None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    longest_wait: float = 2.0  # Telegram's is 60 to 120 s; tests need not wait that long
    timeout: float = 60.0
    deliveries: list[Delivery] = field(default_factory=list)
    last_error: tuple[float, str] | None = None
    _tries: dict[int, tuple[int, float]] = field(
        default_factory=dict
    )  # id → (failures, not before)
    _busy: set[int] = field(default_factory=set)  # queues with an update in flight

    def due(self, pending: list[dict[str, Any]], now: float) -> tuple[list[dict[str, Any]], float]:
        """The queues' front updates that may go now, and when the next waiting one may."""
        seen: set[int] = set()
        ready: list[dict[str, Any]] = []
        soonest = now + 1.0
        for update in pending:
            queue = queue_of(update)
            if queue in seen:
                continue
            seen.add(queue)
            if queue in self._busy:
                continue
            _, not_before = self._tries.get(update["update_id"], (0, 0.0))
            if not_before <= now:
                ready.append(update)
            else:
                soonest = min(soonest, not_before)
        free = self.max_connections - len(self._busy)
        return ready[: max(0, free)], soonest

    async def deliver(
        self, session: aiohttp.ClientSession, update: dict[str, Any], done: Callable[[], None]
    ) -> bool:
        """Post one update; whether the bot took it (2xx)."""
        queue = queue_of(update)
        self._busy.add(queue)
        status, retry_after, error = 0, None, ""
        headers = {"Content-Type": "application/json"}
        if self.secret is not None:
            headers[SECRET_HEADER] = self.secret
        try:
            async with session.post(
                self.url,
                data=json.dumps(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After")
                error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection error: {type(exc).__name__}"
        finally:
            self._busy.discard(queue)
        now = time.monotonic()
        self.deliveries.append(Delivery(update["update_id"], status, now))
        if 200 <= status < 300:
            self._tries.pop(update["update_id"], None)
            done()
            return True
        failures, _ = self._tries.get(update["update_id"], (0, 0.0))
        failures += 1
        if retry_after is not None and retry_after.isdigit():
            wait = min(float(retry_after), 3600.0)
        else:
            wait = 0.0 if failures == 1 else min(2.0 ** (failures - 2), self.longest_wait)
        self._tries[update["update_id"]] = (failures, now + wait)
        self.last_error = (time.time(), error)
        done()
        return False


async def push_forever(
    webhook: Webhook,
    pending: Callable[[], list[dict[str, Any]]],
    delivered: Callable[[dict[str, Any]], None],
    changed: asyncio.Condition,
    notify: Callable[[], None],
) -> None:
    """Post the pending updates until cancelled, waking whenever something changes."""
    tasks: set[asyncio.Task[bool]] = set()

    async def one(session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        if await webhook.deliver(session, update, notify):
            delivered(update)
            return True
        return False

    async with aiohttp.ClientSession() as session:
        try:
            while True:
                ready, soonest = webhook.due(pending(), time.monotonic())
                for update in ready:
                    webhook._busy.add(queue_of(update))  # taken before the task starts
                    task = asyncio.create_task(one(session, update))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                async with changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            changed.wait(), max(0.01, soonest - time.monotonic())
                        )
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
