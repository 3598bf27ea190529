"""The engine the handlers use: each message a turn, in order per chat, with typing and a reply.

It keeps accepted messages in the durable inbox until their answer is delivered, and talks to
the chat only through a `ReplyChannel`, so it knows nothing about Telegram.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping

from bot.backends import (
    Backend,
    BackendError,
    BackendMisconfigured,
    ConversationNotFound,
    TurnInput,
    TurnStatus,
)
from bot.engine.channel import LiveAnswer, ReplyChannel
from bot.engine.chat_queue import ChatQueues
from bot.engine.conversations import Conversations
from bot.engine.languages import answer_in
from bot.engine.outcome import Outcome, describe, for_error
from bot.engine.turn import RunningTurn, TurnRunner
from bot.engine.typing_indicator import TypingIndicator
from bot.personas import Persona, PersonaBook
from bot.texts import Texts
from bot.texts.languages import Language, known
from storage import ChatKey, ConversationStore, InboxEntry, StorageUnavailable

logger = logging.getLogger(__name__)


class ChatEngine:
    def __init__(
        self,
        *,
        store: ConversationStore,
        backend: Backend,
        personas: PersonaBook,
        catalogues: Mapping[Language, Texts],
        model: str,
        response_timeout: float,
        typing_interval: float,
        stream: bool,
        max_concurrent_turns: int,
    ) -> None:
        self._store = store
        self._backend = backend
        self._catalogues = catalogues
        self._model = model
        self._response_timeout = response_timeout
        self._typing_interval = typing_interval
        self._stream = stream
        self._conversations = Conversations(store, backend, personas)
        self._turns = TurnRunner(backend, store)
        self._queues = ChatQueues()
        self._running: dict[ChatKey, RunningTurn] = {}
        self._answered_ids: list[int] = []  # inbox entries to clear once storage can
        # Turns talking to the backend at once. Telegram delivers at most ~30 answers a second,
        # so more turns than that rate times a turn's length only queue at Telegram, while each
        # holds a connection, and the HTTP pool's bookkeeping grows with every open connection.
        self._turn_slots = asyncio.Semaphore(max_concurrent_turns)

    async def accept_message(
        self,
        key: ChatKey,
        text: str,
        channel: ReplyChannel,
        *,
        message_id: int,
        private: bool,
        language: Language,
    ) -> bool:
        """Record a user message in the inbox, then queue it behind the chat's earlier ones.

        False if this message was accepted before (Telegram delivered it again after a restart).
        """
        entry = await self._store.inbox_add(
            key, message_id=message_id, private=private, text=text, language=language
        )
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
        await self._queues.run(key, lambda: self._conversations.replace(key))

    async def choose_persona(self, key: ChatKey, persona: Persona) -> None:
        """Switch the chat's persona; like /reset, this starts a fresh conversation."""
        await self._queues.run(key, lambda: self._conversations.replace(key, persona))

    async def persona_for(self, key: ChatKey) -> Persona:
        return await self._conversations.persona_for(key)

    def add_context(self, key: ChatKey, text: str) -> None:
        """Add a message to the conversation without answering it (GROUP_CONTEXT=all)."""

        async def job() -> None:
            try:
                conversation = await self._conversations.current(key)
                await self._backend.add_context(conversation.id, text)
            except BackendError as exc:
                logger.warning("Could not add context in chat %s: %s", key, exc)

        self._queues.submit(key, job)

    async def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its conversations follow it, nothing is restarted.

        The move runs in the new chat's queue, ahead of any message from there that arrives
        after the upgrade, so none of them can start a conversation of its own first.
        """
        await self._queues.run(
            ChatKey(new_chat_id), lambda: self._conversations.move(old_chat_id, new_chat_id)
        )

    async def chat_unreachable(self, chat_id: int) -> None:
        """The bot was blocked or removed: keep the conversation, mark the chat inactive."""
        await self._conversations.set_reachable(chat_id, False)

    async def chat_reachable(self, chat_id: int) -> None:
        await self._conversations.set_reachable(chat_id, True)

    async def purge_inactive(self, days: int) -> int:
        """Delete (remotely and locally) conversations of chats inactive for `days` days."""
        return await self._conversations.purge_inactive(days)

    async def drain(self, grace: float) -> None:
        """Shutting down: start nothing new, give running turns `grace` seconds to finish.

        Whatever is left stays in the inbox and is resumed at the next start.
        """
        await self._queues.close(grace)

    async def aclose(self) -> None:
        await self._queues.close(0)

    @property
    def turns_running(self) -> int:
        return len(self._running)

    async def stop_answer(self, key: ChatKey, answer_id: int | None = None) -> bool:
        """Stop the chat's answer being written (the user pressed stop); False if none matches."""
        running = self._running.get(key)
        return running is not None and running.stop(answer_id)

    # -- one message --------------------------------------------------------------------------

    async def _answer(self, entry: InboxEntry, channel: ReplyChannel) -> None:
        """Run the message's turn (unless it was answered before a restart) and deliver it."""
        if entry.state == "answered" and entry.reply is not None:
            await self._deliver(entry, Outcome.from_json(entry.reply), channel, None)
            return
        live = channel.live_answer() if self._stream else None
        try:
            async with TypingIndicator(channel.show_typing, self._typing_interval) as typing:
                outcome = await self._run(
                    RunningTurn(entry, live, typing.stop, stream=self._stream)
                )
            try:
                await self._store.inbox_answered(entry.id, outcome.to_json())
            except StorageUnavailable as exc:  # the answer is here: deliver it all the same
                logger.error("Answer in chat %s not kept before sending: %s", entry.key, exc)
            await self._deliver(entry, outcome, channel, live)
        except StorageUnavailable as exc:
            logger.error("Message %s in chat %s not answered: %s", entry.message_id, entry.key, exc)
            await channel.send_notice(self._texts(entry).storage_unavailable)
            await self._forget(entry)
        except Exception:
            logger.exception("Turn failed in chat %s", entry.key)
            await channel.send_notice(self._texts(entry).internal_error)
            await self._forget(entry)
        finally:
            if live is not None:
                await live.discard()

    async def _run(self, turn: RunningTurn) -> Outcome:
        """The turn on the chat's conversation (on a new one if the server lost it)."""
        key = turn.entry.key
        language = _language(turn.entry)
        texts = self._catalogues[language]
        history_lost = False
        self._running[key] = turn
        try:
            async with self._turn_slots:
                conversation = await self._conversations.current(key)
                turn_input = TurnInput(
                    turn.entry.text, _with_language(conversation.persona.instructions, language)
                )
                try:
                    result = await self._turns.run(turn, conversation, turn_input)
                except ConversationNotFound:
                    logger.warning(
                        "Conversation %s of chat %s is gone; starting a new one",
                        conversation.id,
                        key,
                    )
                    history_lost = True
                    conversation = await self._conversations.start_new(key, conversation.persona)
                    result = await self._turns.run(turn, conversation, turn_input)
        except BackendError as exc:
            if isinstance(exc, BackendMisconfigured):  # the owner's to fix: an error
                logger.error("Backend misconfigured (chat %s): %s", key, exc)
            else:
                logger.warning("Backend could not answer in chat %s: %s", key, exc)
            outcome = for_error(exc, texts)
        else:
            if result.usage is not None:
                try:
                    await self._store.record_usage(
                        key, response_id=result.response_id, model=self._model, usage=result.usage
                    )
                except StorageUnavailable as exc:  # the answer matters more than its count
                    logger.error("Usage in chat %s not recorded: %s", key, exc)
            self._log_ending(key, result.status, result.response_id, result.error_code)
            outcome = describe(
                result, texts, stopped=turn.stopped, timeout_seconds=self._response_timeout
            )
        finally:
            self._running.pop(key, None)
        return outcome.after(texts.history_lost) if history_lost else outcome

    def _texts(self, entry: InboxEntry) -> Texts:
        """The catalogue of the language the entry's answer is written in."""
        return self._catalogues[_language(entry)]

    @staticmethod
    def _log_ending(
        key: ChatKey, status: TurnStatus, response_id: str | None, error_code: str | None
    ) -> None:
        logger.info("Turn in chat %s ended %s (%s)", key, status.value, response_id)
        if status is TurnStatus.FAILED:
            logger.warning(
                "Response %s failed in chat %s: %s",
                response_id,
                key,
                error_code or "no error code",
            )

    async def _deliver(
        self, entry: InboxEntry, outcome: Outcome, channel: ReplyChannel, live: LiveAnswer | None
    ) -> None:
        """Send what the turn left to say, then let the inbox forget the message."""
        for notice in outcome.notices:
            await channel.send_notice(notice)
        if outcome.answer and live is not None:
            await live.finish(outcome.answer, outcome.note)
        elif outcome.answer:
            await channel.send_answer(outcome.answer, outcome.note)
        await self._forget(entry)

    async def _forget(self, entry: InboxEntry) -> None:
        """The message was answered (or told why not): the inbox may let it go.

        If storage fails just then, the entry is cleared with the next one that can be, so
        a restart does not deliver it again (unless the bot stops before storage recovers).
        """
        self._answered_ids.append(entry.id)
        while self._answered_ids:
            try:
                await self._store.inbox_done(self._answered_ids[0])
            except StorageUnavailable as exc:
                logger.error(
                    "Message %s in chat %s answered but still in the inbox (%s); clearing it later",
                    entry.message_id,
                    entry.key,
                    exc,
                )
                return
            self._answered_ids.pop(0)


def _language(entry: InboxEntry) -> Language:
    """The entry's language (entries stored before languages existed were English)."""
    return known(entry.language) or "en"


def _with_language(instructions: str, language: Language) -> str:
    return f"{instructions}\n\n{answer_in(language)}".strip()
