"""The owner's notices (ERROR_CHAT_ID: a budget used up, the model's quota exhausted) once per
bot: several processes may notice the same thing, and the owner should hear it once.

Each notice is noted in the database under its text and the five minutes it falls in; the
process that notes it first sends it. With the database away the notice is sent all the same —
twice is better than never."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable

from storage import StorageUnavailable

logger = logging.getLogger(__name__)

NOTICE_SPAN_SECONDS = 300  # the same notice twice within this span is one notice

Notice = Callable[[str], Awaitable[None]]


def once_per_bot(
    send: Notice,
    first_time: Callable[[str], Awaitable[bool]],
    clock: Callable[[], float] = time.time,
) -> Notice:
    """`send`, unless another process of the bot sent the same notice just now."""

    async def notice(text: str) -> None:
        span = int(clock() // NOTICE_SPAN_SECONDS)
        key = f"notice:{span}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
        try:
            if not await first_time(key):
                logger.info("The owner's notice was sent by another process: %s", text)
                return
        except StorageUnavailable as exc:
            logger.warning("Could not note the owner's notice (%s): sending it anyway", exc)
        await send(text)

    return notice
