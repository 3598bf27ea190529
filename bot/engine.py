"""The conversation engine: a turn per message, in order per chat, with typing and friendly errors.

It owns the chat → conversation mapping (through storage) and calls the backend; it talks to the
chat only through a `ReplyChannel`, so it knows nothing about Telegram.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot import texts
from bot.backends import (
    TOOL_CALL_REFUSED,
    Backend,
    BackendError,
    BackendMisconfigured,
    BackendRejected,
    ConversationNotFound,
    TextDelta,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.channel import LiveAnswer, ReplyChannel
from bot.chat_queue import ChatQueues
from bot.personas import Persona, PersonaBook
from bot.typing_indicator import TYPING_INTERVAL, TypingIndicator
from storage import ChatKey, ChatRecord, ConversationStore, InboxEntry

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _RunningTurn:
    """A turn in progress: what a stop request or a streaming preview needs to know."""

    entry: InboxEntry
    live: LiveAnswer | None
    typing: TypingIndicator
    text: str = ""
    remote_id: str | None = None
    task: asyncio.Task[TurnResult] | None = None
    stopped: bool = False


@dataclass(slots=True)
class _Outcome:
    """What a turn leaves to say: notices before the answer, the answer, a note after it."""

    answer: str = ""
    notices: list[str] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> str:
        return json.dumps({"answer": self.answer, "notices": self.notices, "note": self.note})

    @classmethod
    def from_json(cls, text: str) -> _Outcome:
        data = json.loads(text)
        return cls(answer=data["answer"], notices=list(data["notices"]), note=data["note"])


class ChatEngine:
    def __init__(
        self,
        *,
        store: ConversationStore,
        backend: Backend,
        personas: PersonaBook,
        model: str,
        response_timeout: float,
        typing_interval: float = TYPING_INTERVAL,
        stream: bool = True,
        max_concurrent_turns: int,
    ) -> None:
        self._store = store
        self._backend = backend
        self._personas = personas
        self._model = model
        self._response_timeout = response_timeout
        self._typing_interval = typing_interval
        self._stream = stream
        self._queues = ChatQueues()
        self._running: dict[ChatKey, _RunningTurn] = {}
        # Turns talking to the backend at once. Telegram delivers at most ~30 answers a second,
        # so more turns than that rate times a turn's length only queue at Telegram, while each
        # holds a connection, and the HTTP pool's bookkeeping grows with every open connection.
        self._turn_slots = asyncio.Semaphore(max_concurrent_turns)

    async def accept_message(
        self, key: ChatKey, text: str, channel: ReplyChannel, *, message_id: int, private: bool
    ) -> bool:
        """Record a user message in the inbox, then queue it behind the chat's earlier ones.

        False if this message was accepted before (Telegram delivered it again after a restart).
        """
        entry = await self._store.inbox_add(key, message_id=message_id, private=private, text=text)
        if entry is None:
            logger.info("Message %s in chat %s was already accepted", message_id, key)
            return False
        self._queues.submit(key, functools.partial(self._answer, entry, channel))
        return True

    async def resume_pending(self, channel_for: Callable[[InboxEntry], ReplyChannel]) -> int:
        """At start-up: resume, run or deliver whatever the inbox holds, each chat in order."""
        entries = await self._store.inbox_pending()
        for entry in entries:
            logger.info(
                "Resuming message %s in chat %s (%s)", entry.message_id, entry.key, entry.state
            )
            self._queues.submit(
                entry.key, functools.partial(self._answer, entry, channel_for(entry))
            )
        return len(entries)

    async def reset(self, key: ChatKey) -> None:
        """Replace the chat's conversation with a fresh one (after any queued turns)."""

        async def job() -> None:
            record = await self._store.get_chat(key)
            persona = self._personas.resolve(record.persona if record else None)
            await self._replace_conversation(key, record, persona)

        await self._queues.run(key, job)

    async def choose_persona(self, key: ChatKey, persona: Persona) -> None:
        """Switch the chat's persona; like /reset, this starts a fresh conversation."""

        async def job() -> None:
            await self._replace_conversation(key, await self._store.get_chat(key), persona)

        await self._queues.run(key, job)

    async def persona_for(self, key: ChatKey) -> Persona:
        record = await self._store.get_chat(key)
        return self._personas.resolve(record.persona if record else None)

    def add_context(self, key: ChatKey, text: str) -> None:
        """Add a message to the conversation without answering it (GROUP_CONTEXT=all)."""

        async def job() -> None:
            try:
                record = await self._conversation_for(key)
                assert record.conversation_id is not None
                await self._backend.add_context(record.conversation_id, text)
            except BackendError as exc:
                logger.warning("Could not add context in chat %s: %s", key, exc)

        self._queues.submit(key, job)

    async def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its conversations follow it, nothing is restarted.

        The move runs in the new chat's queue, ahead of any message from there that arrives
        after the upgrade, so none of them can start a conversation of its own first.
        """

        async def move() -> None:
            await self._store.move_chat(old_chat_id, new_chat_id)
            logger.info("Chat %s moved to %s", old_chat_id, new_chat_id)

        await self._queues.run(ChatKey(new_chat_id), move)

    async def chat_unreachable(self, chat_id: int) -> None:
        """The bot was blocked or removed: keep the conversation, mark the chat inactive."""
        await self._store.set_chat_active(chat_id, False)
        logger.info("Chat %s is inactive (the bot cannot write there)", chat_id)

    async def chat_reachable(self, chat_id: int) -> None:
        await self._store.set_chat_active(chat_id, True)

    async def purge_inactive(self, days: int) -> int:
        """Delete (remotely and locally) conversations of chats inactive for `days` days."""
        purged = 0
        for record in await self._store.chats_inactive_for(days):
            if record.conversation_id and record.backend == self._backend.name:
                try:
                    await self._backend.delete_conversation(record.conversation_id)
                except BackendError as exc:
                    logger.warning(
                        "Retention: could not delete %s: %s", record.conversation_id, exc
                    )
                    continue
            await self._store.delete_chat(record.key)
            purged += 1
        if purged:
            logger.info("Retention: deleted %d conversations of inactive chats", purged)
        return purged

    async def drain(self, grace: float) -> None:
        """Shutting down: start nothing new, give running turns `grace` seconds to finish.

        Whatever is left stays in the inbox and is resumed at the next start.
        """
        await self._queues.close(grace)

    async def aclose(self) -> None:
        await self._queues.close(0)

    async def stop_answer(self, key: ChatKey, answer_id: int | None = None) -> bool:
        """Stop the chat's answer being written (the user pressed stop); False if none matches."""
        running = self._running.get(key)
        if running is None or running.task is None:
            return False
        if answer_id is not None and (running.live is None or running.live.answer_id != answer_id):
            return False
        running.stopped = True
        running.task.cancel()
        return True

    # -- one turn -----------------------------------------------------------------------------

    async def _answer(self, entry: InboxEntry, channel: ReplyChannel) -> None:
        key = entry.key
        if entry.state == "answered" and entry.reply is not None:  # answered before a restart
            await self._deliver(entry, _Outcome.from_json(entry.reply), channel, None)
            return
        live = channel.live_answer() if self._stream else None
        running = _RunningTurn(
            entry, live, TypingIndicator(channel.show_typing, self._typing_interval)
        )
        self._running[key] = running
        running.typing.start()
        try:
            outcome = await self._run_turn(entry, running)
            await running.typing.stop()
            await self._store.inbox_answered(entry.id, outcome.to_json())
            await self._deliver(entry, outcome, channel, live)
        except Exception:
            logger.exception("Turn failed in chat %s", key)
            await running.typing.stop()
            await channel.send_notice(texts.INTERNAL_ERROR)
            await self._store.inbox_done(entry.id)
        finally:
            await running.typing.stop()
            if live is not None:
                await live.discard()
            self._running.pop(key, None)

    async def _deliver(
        self, entry: InboxEntry, outcome: _Outcome, channel: ReplyChannel, live: LiveAnswer | None
    ) -> None:
        """Send what the turn left to say, then let the inbox forget the message."""
        for notice in outcome.notices:
            await channel.send_notice(notice)
        final = "\n\n".join(part for part in (outcome.answer, outcome.note) if part)
        if final and live is not None:
            await live.finish(final)
        elif final:
            await channel.send_answer(final)
        await self._store.inbox_done(entry.id)

    async def _run_turn(self, entry: InboxEntry, running: _RunningTurn) -> _Outcome:
        key = entry.key
        outcome = _Outcome()
        try:
            async with self._turn_slots:
                result = await self._converse(entry, running, outcome)
        except BackendMisconfigured as exc:
            logger.error("Backend misconfigured (chat %s): %s", key, exc)
            outcome.notices.append(texts.BACKEND_MISCONFIGURED)
            return outcome
        except BackendRejected as exc:
            logger.warning("Backend rejected a message in chat %s: %s", key, exc)
            outcome.notices.append(texts.BACKEND_REJECTED)
            return outcome
        except BackendError as exc:  # BackendUnavailable, or a conversation lost twice
            logger.warning("Backend unavailable for chat %s: %s", key, exc)
            outcome.notices.append(texts.BACKEND_UNAVAILABLE)
            return outcome

        if result.usage is not None:
            await self._store.record_usage(
                key, response_id=result.response_id, model=self._model, usage=result.usage
            )
        self._describe(result, key, outcome, stopped=running.stopped)
        return outcome

    async def _converse(
        self, entry: InboxEntry, running: _RunningTurn, outcome: _Outcome
    ) -> TurnResult:
        """The chat's conversation, and the turn on it (on a new one if the server lost it)."""
        key = entry.key
        record = await self._conversation_for(key)
        persona = self._personas.resolve(record.persona)
        turn = TurnInput(text=entry.text, instructions=persona.instructions)
        assert record.conversation_id is not None
        try:
            return await self._consume(record.conversation_id, turn, running)
        except ConversationNotFound:
            logger.warning(
                "Conversation %s of chat %s is gone; starting a new one",
                record.conversation_id,
                key,
            )
            record = await self._new_conversation(key, persona)
            assert record.conversation_id is not None
            outcome.notices.append(texts.HISTORY_LOST)
            return await self._consume(record.conversation_id, turn, running)

    async def _consume(
        self, conversation_id: str, turn: TurnInput, running: _RunningTurn
    ) -> TurnResult:
        """Run the turn in its own task, so that a stop request can cancel just the turn."""
        running.task = asyncio.create_task(self._events(conversation_id, turn, running))
        try:
            return await running.task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not running.stopped or (current is not None and current.cancelling()):
                raise  # shutting down, not a stop request
            logger.info("Turn on %s stopped by the user", conversation_id)
            if running.remote_id:
                await self._backend.cancel_turn(conversation_id, running.remote_id)
            return TurnResult(
                TurnStatus.CANCELLED, text=running.text, response_id=running.remote_id
            )
        finally:
            running.task = None

    async def _events(
        self, conversation_id: str, turn: TurnInput, running: _RunningTurn
    ) -> TurnResult:
        stream = running.live is not None
        entry = running.entry
        if (
            entry.state == "running"
            and entry.remote_id
            and entry.conversation_id == conversation_id
        ):
            events = self._backend.resume_turn(
                conversation_id, entry.remote_id, turn, stream=stream
            )
        else:
            await self._store.inbox_running(entry.id, conversation_id, None)
            events = self._backend.run_turn(conversation_id, turn, stream=stream)
        result: TurnResult | None = None
        async for event in events:
            if isinstance(event, TurnStarted):
                running.remote_id = event.remote_id
                await self._store.inbox_running(entry.id, conversation_id, event.remote_id)
            elif isinstance(event, TextDelta):
                running.text += event.text
                if running.live is not None:
                    await running.typing.stop()  # the growing answer shows activity now
                    await running.live.update(running.text)
            else:
                result = event
        if result is None:
            raise BackendError("the turn ended without a result")
        return result

    def _describe(
        self, result: TurnResult, key: ChatKey, outcome: _Outcome, *, stopped: bool
    ) -> None:
        """Turn the backend's result into what the user reads."""
        logger.info("Turn in chat %s ended %s (%s)", key, result.status.value, result.response_id)
        if result.status is TurnStatus.COMPLETED:
            if result.text.strip():
                outcome.answer = result.text
            else:
                outcome.notices.append(texts.ANSWER_EMPTY)
        elif result.status is TurnStatus.INCOMPLETE:
            reason = texts.INCOMPLETE_REASONS.get(
                result.incomplete_reason or "", result.incomplete_reason or "unknown reason"
            )
            outcome.answer = result.text
            outcome.note = "_" + texts.ANSWER_INCOMPLETE.format(reason=reason) + "_"
        elif result.status is TurnStatus.TIMED_OUT:
            message = texts.ANSWER_TIMED_OUT.format(seconds=f"{self._response_timeout:g}")
            if result.text.strip():  # keep what was written (the user may have watched it)
                outcome.answer, outcome.note = result.text, f"_({message})_"
            else:
                outcome.notices.append(message)
        elif result.status is TurnStatus.CANCELLED and stopped:
            if result.text.strip():
                outcome.answer, outcome.note = result.text, f"_{texts.ANSWER_STOPPED}_"
            else:
                outcome.notices.append(texts.ANSWER_STOPPED)
        elif result.status is TurnStatus.CANCELLED:
            outcome.notices.append(texts.ANSWER_CANCELLED)
        elif result.error_code == TOOL_CALL_REFUSED:
            outcome.notices.append(texts.ANSWER_TOOL_CALL)
        else:
            logger.warning(
                "Response %s failed in chat %s: %s",
                result.response_id,
                key,
                result.error_code or "no error code",
            )
            outcome.notices.append(texts.ANSWER_FAILED)

    # -- conversations ------------------------------------------------------------------------

    async def _conversation_for(self, key: ChatKey) -> ChatRecord:
        """The chat's live conversation, created (and stored before use) if it has none."""
        record = await self._store.get_chat(key)
        if (
            record is not None
            and record.conversation_id is not None
            and record.backend == self._backend.name
        ):
            return record
        persona = self._personas.resolve(record.persona if record else None)
        return await self._new_conversation(key, persona)

    async def _new_conversation(self, key: ChatKey, persona: Persona) -> ChatRecord:
        conversation_id = await self._backend.create_conversation(
            {"chat": str(key.chat_id), "topic": str(key.topic_id), "persona": persona.name}
        )
        record = ChatRecord(
            key=key,
            backend=self._backend.name,
            conversation_id=conversation_id,
            persona=persona.name,
        )
        await self._store.save_chat(record)
        logger.info("Chat %s now uses conversation %s (%s)", key, conversation_id, persona.name)
        return record

    async def _replace_conversation(
        self, key: ChatKey, old: ChatRecord | None, persona: Persona
    ) -> None:
        """Delete the old conversation (best effort), then start and store a new one.

        If the new one cannot be created, the row keeps the persona and no conversation, so the
        next message creates one; the error still reaches the caller to tell the user.
        """
        if old is not None and old.conversation_id and old.backend == self._backend.name:
            try:
                await self._backend.delete_conversation(old.conversation_id)
            except BackendError as exc:
                logger.warning("Could not delete conversation %s: %s", old.conversation_id, exc)
        try:
            await self._new_conversation(key, persona)
        except BackendError:
            await self._store.save_chat(
                ChatRecord(
                    key=key, backend=self._backend.name, conversation_id=None, persona=persona.name
                )
            )
            raise
