"""One turn on a conversation: the backend's events, shown live, stoppable by the user.

The turn runs in a task of its own so that a stop request cancels just the turn, not the chat's
queue; it resumes a turn started before a restart by its remote id instead of starting another.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace

from bot.backends import (
    Backend,
    BackendError,
    TextDelta,
    ToolStarted,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.engine.conversations import LiveConversation
from bot.engine.ports import LiveAnswer
from storage import Attachment, InboxEntry, LedgerRow
from storage.repositories import Inbox

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class RunningTurn:
    """A turn in progress: what a stop request or a streaming preview needs to know.

    Built whole by the pipeline; afterwards only the runner writes its progress (text, remote
    id, task), and `stop` its flag."""

    entry: InboxEntry
    live: LiveAnswer | None
    on_first_text: Callable[[], Awaitable[None]]  # e.g. stop "typing…": the text shows now
    # Streamed even with nothing to show along the way (groups): the answer is known the
    # moment it is written, not at the next poll.
    stream: bool
    transcribed: tuple[Attachment, ...] | None = None  # kept with the turn's first commit
    text: str = ""
    remote_id: str | None = None
    task: asyncio.Task[TurnResult] | None = None
    stopped: bool = False
    on_tool: Callable[[str], Awaitable[None]] | None = None  # a hosted tool started (its name)

    def stop(self, answer_id: int | None) -> bool:
        """The user pressed stop (on answer `answer_id`, if given); False if nothing matches."""
        if self.task is None:
            return False
        if answer_id is not None and (self.live is None or self.live.answer_id != answer_id):
            return False
        self.stopped = True
        self.task.cancel()
        return True


class TurnRunner:
    """Runs turns on one backend, recording each turn's remote id in the inbox as it starts."""

    def __init__(self, backend: Backend, inbox: Inbox) -> None:
        self._backend = backend
        self._inbox = inbox

    async def run(
        self,
        turn: RunningTurn,
        conversation: LiveConversation,
        turn_input: TurnInput,
        ledger: LedgerRow | None = None,
    ) -> TurnResult:
        """The turn's result; a stop by the user ends it as CANCELLED with the text so far.

        `ledger`: the turn's reservation, written with the inbox's "running" commits."""
        turn.task = asyncio.create_task(self._consume(turn, conversation.id, turn_input, ledger))
        try:
            return await turn.task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not turn.stopped or (current is not None and current.cancelling()):
                raise  # shutting down, not a stop request
            logger.info("Turn on %s stopped by the user", conversation.id)
            if turn.remote_id:
                await self._backend.cancel_turn(conversation.id, turn.remote_id)
            return TurnResult(TurnStatus.CANCELLED, text=turn.text, response_id=turn.remote_id)
        finally:
            turn.task = None

    async def _consume(
        self,
        turn: RunningTurn,
        conversation_id: str,
        turn_input: TurnInput,
        ledger: LedgerRow | None,
    ) -> TurnResult:
        result: TurnResult | None = None
        async for event in await self._events(turn, conversation_id, turn_input, ledger):
            if isinstance(event, TurnStarted):
                turn.remote_id = event.remote_id
                if ledger is not None:
                    ledger = replace(ledger, remote_id=event.remote_id)
                await self._inbox.running(turn.entry.id, conversation_id, event.remote_id, ledger)
            elif isinstance(event, ToolStarted):
                if turn.on_tool is not None:
                    await turn.on_tool(event.tool)
            elif isinstance(event, TextDelta):
                if not turn.text and turn.live is not None:
                    await turn.on_first_text()
                turn.text += event.text
                if turn.live is not None:
                    await turn.live.update(turn.text)
            else:
                result = event
        if result is None:
            raise BackendError("the turn ended without a result")
        return result

    async def _events(
        self,
        turn: RunningTurn,
        conversation_id: str,
        turn_input: TurnInput,
        ledger: LedgerRow | None,
    ) -> AsyncIterator[TurnEvent]:
        """Resume the turn left running before a restart, or start it."""
        stream = turn.stream
        entry = turn.entry
        if (
            entry.state == "running"
            and entry.remote_id
            and entry.conversation_id == conversation_id
        ):
            return self._backend.resume_turn(
                conversation_id, entry.remote_id, turn_input, stream=stream
            )
        await self._inbox.running(
            entry.id, conversation_id, None, ledger, attachments=turn.transcribed
        )
        return self._backend.run_turn(conversation_id, turn_input, stream=stream)
