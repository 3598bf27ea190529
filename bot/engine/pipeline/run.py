"""Run: the turn on the chat's conversation, through the backend, as a value.

The conversation is created here if the chat has none yet; one deleted on the server is
replaced once (the user is told the history is gone). A backend that could not answer is an
`error` in the result, never an exception: settling decides what the user reads.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, replace

from bot.backends import (
    BackendError,
    BackendMisconfigured,
    ConversationNotFound,
    QuotaExhausted,
    TurnResult,
    TurnStatus,
)
from bot.engine.conversations import Conversations, LiveConversation
from bot.engine.function_calls import TurnFunctions
from bot.engine.pipeline.admit import Admission
from bot.engine.pipeline.prepare import turn_input
from bot.engine.tool_results import ToolResults
from bot.engine.turn import RunningTurn, TurnRunner
from bot.media.reader import ReadMedia
from storage import ChatKey

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Ran:
    """How the turn went: its result, or why there is none."""

    result: TurnResult | None
    error: BackendError | None
    conversation_id: str | None
    history_lost: bool  # the server had lost the conversation: a new one answered
    written: str  # the text received, all of it or up to a stop
    started: bool  # the server began the turn (it is billed)
    stopped: bool  # the user pressed stop
    files_lost: bool = False  # a new sandbox lacks data files sent earlier


class TurnStage:
    """Runs admitted turns; knows which are running, so a stop can find its turn."""

    def __init__(
        self,
        *,
        conversations: Conversations,
        turns: TurnRunner,
        tool_results: ToolResults,
        max_concurrent_turns: int,
    ) -> None:
        self._conversations = conversations
        self._turns = turns
        self._tool_results = tool_results
        self.running: dict[ChatKey, RunningTurn] = {}
        # Turns talking to the backend at once. Telegram delivers at most ~30 answers a second,
        # so more turns than that rate times a turn's length only queue at Telegram, while each
        # holds a connection, and the HTTP pool's bookkeeping grows with every open connection.
        self._slots = asyncio.Semaphore(max_concurrent_turns)

    async def run(
        self,
        turn: RunningTurn,
        admission: Admission,
        media: ReadMedia,
        functions: TurnFunctions | None = None,
    ) -> Ran:
        key = turn.entry.key
        conversation: LiveConversation | None = None
        history_lost = False
        self.running[key] = turn
        try:
            async with self._slots:
                # As read before metering (the chat's queue lets nothing change it since).
                conversation = await self._conversations.live(
                    key, admission.reservation.row.conversation_id, admission.persona
                )
                try:
                    result = await self._on(conversation, turn, admission, media, functions)
                except ConversationNotFound:
                    logger.warning(
                        "Conversation %s of chat %s is gone; starting a new one",
                        conversation.id,
                        key,
                    )
                    history_lost = True
                    conversation = await self._conversations.start_new(key, admission.persona)
                    result = await self._on(conversation, turn, admission, media, functions)
        except BackendError as exc:
            _log_failure(key, exc)
            return self._ran(turn, None, exc, conversation, history_lost)
        finally:
            self.running.pop(key, None)
        _log_ending(key, result)
        await self._tool_results.note_documents(turn.entry, conversation.id, result.status)
        lost = result.container_replaced and await self._tool_results.lost_in_new_container(
            turn.entry, conversation.id, result.files_restored
        )
        return replace(self._ran(turn, result, None, conversation, history_lost), files_lost=lost)

    async def _on(
        self,
        conversation: LiveConversation,
        turn: RunningTurn,
        admission: Admission,
        media: ReadMedia,
        functions: TurnFunctions | None,
    ) -> TurnResult:
        earlier = functools.partial(self._tool_results.earlier_data, turn.entry, conversation.id)
        ledger = replace(admission.reservation.row, conversation_id=conversation.id)
        request = turn_input(admission, media, earlier, functions or TurnFunctions())
        return await self._turns.run(turn, conversation, request, ledger)

    @staticmethod
    def _ran(
        turn: RunningTurn,
        result: TurnResult | None,
        error: BackendError | None,
        conversation: LiveConversation | None,
        history_lost: bool,
    ) -> Ran:
        return Ran(
            result,
            error,
            conversation.id if conversation else None,
            history_lost,
            written=turn.text,
            started=turn.remote_id is not None,
            stopped=turn.stopped,
        )


def _log_failure(key: ChatKey, exc: BackendError) -> None:
    if isinstance(exc, QuotaExhausted):
        return  # the quota pause says it, once
    if isinstance(exc, BackendMisconfigured):  # the owner's to fix: an error
        logger.error("Backend misconfigured (chat %s): %s", key, exc)
    else:
        logger.warning("Backend could not answer in chat %s: %s", key, exc)


def _log_ending(key: ChatKey, result: TurnResult) -> None:
    logger.info("Turn in chat %s ended %s (%s)", key, result.status.value, result.response_id)
    if result.status is TurnStatus.FAILED:
        logger.warning(
            "Response %s failed in chat %s: %s",
            result.response_id,
            key,
            result.error_code or "no error code",
        )
