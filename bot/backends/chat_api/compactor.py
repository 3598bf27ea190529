"""The chat backend's compaction at work: the conversation read from storage, summarised by the
model when `compaction.plan` says so, the summary stored in place of what it replaces.

A failed pass (the server refuses, times out, writes nothing) changes nothing: the turn goes on
with the newest turns that fit, as before compaction existed, and the log says so once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import openai
from openai.types.chat import ChatCompletion

from bot.backends.backend_errors import (
    BackendError,
    BackendUnavailable,
)
from bot.backends.base import (
    ModelSettings,
    TurnInput,
)
from bot.backends.chat_api.chat_results import chat_usage
from bot.backends.chat_api.compaction import CompactionPlan, plan, split_summary, system_message
from bot.backends.openai_calls import translated
from storage import HistoryMessage, TokenUsage
from storage.repositories import Histories

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Context:
    """What a turn sends before the user's message."""

    system: str  # the instructions, and the summary of the oldest turns if there is one
    history: list[HistoryMessage]  # the turns since
    compaction: TokenUsage | None = None  # this turn's pass, if it made one


class Compactor:
    def __init__(
        self,
        client: openai.AsyncOpenAI,
        settings: ModelSettings,
        history: Histories,
        budget: int | None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._history = history
        self._budget = budget

    async def context(self, conversation_id: str, turn: TurnInput, deadline: float) -> Context:
        """The conversation as the turn sends it, compacted first if it has outgrown the
        budget."""
        summary, history = split_summary(await self._history.of(conversation_id))
        wanted = (
            plan(turn.instructions, summary, history, turn.text, self._budget)
            if self._budget
            else None
        )
        if wanted is None:
            return Context(system_message(turn.instructions, summary), history)
        try:
            new_summary, usage = await self._summarise(wanted, deadline)
        except (BackendError, TimeoutError) as exc:
            logger.warning(
                "Conversation %s was not compacted (%s); sending its newest turns instead",
                conversation_id,
                exc or type(exc).__name__,
            )
            return Context(system_message(turn.instructions, summary), history)
        await self._history.compact(conversation_id, wanted.folded, new_summary)
        logger.info(
            "Conversation %s compacted: %d messages summarised in %d characters",
            conversation_id,
            wanted.folded,
            len(new_summary),
        )
        rest = history[wanted.folded :]
        return Context(system_message(turn.instructions, new_summary), rest, usage)

    async def _summarise(
        self, wanted: CompactionPlan, deadline: float
    ) -> tuple[str, TokenUsage | None]:
        """The model's summary, within half the turn's time left: a slow pass leaves the
        answer time to be written (without it)."""
        async with asyncio.timeout(max(0.0, (deadline - time.monotonic()) / 2)):
            with translated():
                completion: ChatCompletion = await self._client.chat.completions.create(
                    model=self._settings.model,
                    messages=[
                        {"role": "system", "content": wanted.instructions},
                        {"role": "user", "content": wanted.transcript},
                    ],
                    max_tokens=wanted.max_tokens,
                )
        choice = completion.choices[0] if completion.choices else None
        text = ((choice.message.content or "") if choice else "").strip()
        if not text:
            raise BackendUnavailable("the summary came back empty")
        return text, chat_usage(completion.usage)
