"""Yes/No questions a turn waits on: "May I add this event?" before one of the owner's tools
that asks first. The question goes out with two buttons; a tap resolves it here by its token.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from typing import Literal

from bot.engine.ports import Question, ReplyChannel

logger = logging.getLogger(__name__)

WAIT_SECONDS = 300.0  # unanswered this long: taken as No
Answered = Literal["answered", "stale", "not_yours"]


@dataclass(frozen=True, slots=True)
class _Open:
    answer: asyncio.Future[bool]
    asker: int | None  # who may answer (None: anyone in the chat, e.g. a private chat)


class Confirmations:
    """The questions waiting for a tap, by token."""

    def __init__(self, wait: float = WAIT_SECONDS) -> None:
        self._wait = wait
        self._open: dict[str, _Open] = {}

    async def ask(
        self, channel: ReplyChannel, text: str, yes: str, no: str, *, asker: int | None
    ) -> bool:
        """Ask and wait: True for Yes; False for No, or when nobody answered in time."""
        token = secrets.token_urlsafe(9)
        waiting = _Open(asyncio.get_running_loop().create_future(), asker)
        self._open[token] = waiting
        try:
            await channel.ask(Question(text, yes, no, token))
            async with asyncio.timeout(self._wait):
                return await waiting.answer
        except TimeoutError:
            logger.info("Question %s unanswered after %g s: taken as No", token, self._wait)
            return False
        finally:
            self._open.pop(token, None)

    def answer(self, token: str, yes: bool, user_id: int | None, *, owner: bool) -> Answered:
        """A tap on a question's button; an owner may answer anyone's."""
        waiting = self._open.get(token)
        if waiting is None or waiting.answer.done():
            return "stale"
        if waiting.asker is not None and user_id != waiting.asker and not owner:
            return "not_yours"
        waiting.answer.set_result(yes)
        return "answered"
