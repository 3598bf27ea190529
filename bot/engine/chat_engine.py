"""The engine the handlers use: each message a turn, in order per chat, with typing and a reply.

It keeps accepted messages in the durable inbox until their answer is delivered (`answering`
runs each one), and talks to the chat only through a `ReplyChannel`, so it knows nothing about
Telegram.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.backends import Backend, BackendError
from bot.engine.answering import Answerer
from bot.engine.chat_queue import ChatQueues
from bot.engine.conversations import Conversations, ConversationUnavailable
from bot.engine.function_calls import OwnerFunctions
from bot.engine.knowledge import Knowledge
from bot.engine.ports import ReplyChannel
from bot.engine.turn import TurnRunner
from bot.media.albums import Albums
from bot.media.reader import MediaReader
from bot.personas import Persona, PersonaBook
from bot.texts import Texts
from bot.texts.languages import Language
from bot.usage.meter import CostMeter
from bot.usage.quota_pause import OwnerNotice
from storage import Attachment, ChatKey, HistoryMessage, InboxEntry, Tool
from storage.repositories import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Incoming:
    """A message as the handlers hand it over, before the inbox has it."""

    key: ChatKey
    text: str
    message_id: int
    private: bool
    language: Language
    user_id: int | None
    attachments: tuple[Attachment, ...]
    album_id: str | None
    tool: Tool | None = None  # a hosted tool asked for by command (/image)


class ChatEngine:
    def __init__(
        self,
        *,
        store: Store,
        backend: Backend,
        personas: PersonaBook,
        catalogues: Mapping[Language, Texts],
        meter: CostMeter,
        quota_pause: float,
        cost_footer: bool = False,
        response_timeout: float,
        typing_interval: float,
        stream: bool,
        max_concurrent_turns: int,
        media: MediaReader,
        album_wait: float = 1.2,
        tools: frozenset[Tool] | None = None,
        owner_notice: OwnerNotice | None = None,
        functions: OwnerFunctions | None = None,
        knowledge: Knowledge | None = None,
    ) -> None:
        """`tools`: the hosted tools personas may use (default: all the backend offers);
        `functions`: the owner's tools (MCP), if the personas file names servers."""
        self._inbox = store.inbox
        self._ledger = store.ledger
        self._backend = backend
        self._conversations = Conversations(
            store.chats, store.chat_status, store.files, backend, personas
        )
        self._queues = ChatQueues()
        self._media = media
        self._albums = Albums(album_wait)
        self._answerer = Answerer(
            inbox=store.inbox,
            files=store.files,
            conversations=self._conversations,
            turns=TurnRunner(backend, store.inbox),
            catalogues=catalogues,
            meter=meter,
            quota_pause=quota_pause,
            cost_footer=cost_footer,
            response_timeout=response_timeout,
            typing_interval=typing_interval,
            stream=stream,
            max_concurrent_turns=max_concurrent_turns,
            media=media,
            tools=backend.tools if tools is None else tools,
            fetch_artifact=backend.fetch_artifact,
            owner_notice=owner_notice,
            functions=functions,
            knowledge=knowledge,
        )
        self.functions = functions
        self.knowledge = knowledge

    async def accept_message(
        self,
        key: ChatKey,
        text: str,
        channel: ReplyChannel,
        *,
        message_id: int,
        private: bool,
        language: Language,
        user_id: int | None = None,
        attachments: tuple[Attachment, ...] = (),
        album_id: str | None = None,
        tool: Tool | None = None,
        then: Callable[[], None] | None = None,
    ) -> bool:
        """Record a user message in the inbox, then queue it behind the chat's earlier ones.

        False if this message was accepted before (Telegram delivered it again after a restart),
        or joined the album an earlier item started. `then` is called once its turn has ended
        (the web chat closes its stream; not for album items).
        """
        incoming = _Incoming(
            key, text, message_id, private, language, user_id, attachments, album_id, tool
        )
        if album_id is not None:
            async with self._albums.lock:
                return await self._accept_album_item(incoming, channel)
        entry = await self._record(incoming, attachments)
        if entry is None:
            return False
        self._submit(entry, channel, then)
        return True

    async def _record(
        self, incoming: _Incoming, attachments: tuple[Attachment, ...]
    ) -> InboxEntry | None:
        """The message in the inbox; None if Telegram delivered it before."""
        entry = await self._inbox.add(
            incoming.key,
            message_id=incoming.message_id,
            private=incoming.private,
            text=incoming.text,
            language=incoming.language,
            user_id=incoming.user_id,
            attachments=attachments,
            album_id=incoming.album_id,
            tool=incoming.tool,
        )
        if entry is None:
            logger.info(
                "Message %s in chat %s was already accepted", incoming.message_id, incoming.key
            )
        return entry

    async def offer_album_item(
        self, key: ChatKey, album_id: str, attachments: tuple[Attachment, ...]
    ) -> None:
        """An album item not addressed to the bot (in a group, the items without the caption):
        it joins the album if an addressed item accepted it, else waits in memory (file ids
        only, never downloaded) in case a later item is addressed."""
        async with self._albums.lock:
            album = self._albums.get(key, album_id)
            album.touch()  # the quiet wait counts from the item's arrival
            if album.entry is None:
                album.held.extend(attachments)
            elif joined := await self._inbox.join(key, album_id, "", attachments):
                album.entry = joined

    async def _accept_album_item(self, incoming: _Incoming, channel: ReplyChannel) -> bool:
        key, album_id = incoming.key, incoming.album_id
        assert album_id is not None
        album = self._albums.get(key, album_id)
        album.touch()  # the quiet wait counts from the item's arrival
        if album.entry is not None:
            joined = await self._inbox.join(key, album_id, incoming.text, incoming.attachments)
            if joined is not None:
                album.entry = joined
                logger.info("Message %s joined an album in chat %s", incoming.message_id, key)
                return False
        entry = await self._record(incoming, (*album.held, *incoming.attachments))
        if entry is None:
            return False
        album.held.clear()
        album.entry = entry

        async def answer_when_complete() -> None:
            await self._albums.settled(key, album_id)
            # As joined: the queue runs nothing else of this chat meanwhile.
            await self._answerer.answer(album.entry or entry, channel)

        self._queues.submit(key, answer_when_complete)
        return True

    async def settle_orphans(self) -> int:
        """Reservations left by a crash (their message no longer in the inbox), settled by
        estimate: run once by the process that runs the bot's jobs."""
        orphans = await self._ledger.settle_orphans()
        if orphans:
            logger.info("Settled %d reservations left by a crash, by estimate", orphans)
        return orphans

    async def resume_chats(
        self, chat_ids: list[int], channel_for: Callable[[InboxEntry], ReplyChannel]
    ) -> int:
        """Chats this process now answers: resume, run or deliver what their inbox holds (an
        answer another process was writing is picked up by its id), each chat in order."""
        entries = await self._inbox.pending_in(chat_ids)
        for entry in entries:
            logger.info(
                "Resuming message %s in chat %s (%s)", entry.message_id, entry.key, entry.state
            )
            self._submit(entry, channel_for(entry))
        return len(entries)

    async def chats_waiting(self, *, unheld: bool = False) -> list[int]:
        """Chats whose inbox holds unfinished messages (`unheld`: and no process answers them
        now, as far as the database knows)."""
        return await self._inbox.chats_waiting(unheld=unheld)

    def busy(self, chat_id: int) -> bool:
        """Whether any topic of the chat has work queued or running."""
        return self._queues.busy_chat(chat_id)

    async def retry(
        self, key: ChatKey, entry_id: int, channel_for: Callable[[InboxEntry], ReplyChannel]
    ) -> bool:
        """The user pressed "Try again": queue the failed message again; False if it is gone."""
        entry = await self._inbox.retry(key, entry_id)
        if entry is None:
            return False
        logger.info("Retrying message %s in chat %s", entry.message_id, key)
        self._submit(entry, channel_for(entry))
        return True

    def _submit(
        self, entry: InboxEntry, channel: ReplyChannel, then: Callable[[], None] | None = None
    ) -> None:
        """Answer the entry after the chat's earlier messages (then call `then`)."""
        if then is None:
            self._queues.submit(entry.key, functools.partial(self._answerer.answer, entry, channel))
            return

        async def answer_then() -> None:
            try:
                await self._answerer.answer(entry, channel)
            finally:
                then()

        self._queues.submit(entry.key, answer_then)

    async def reset(self, key: ChatKey) -> None:
        """Replace the chat's conversation with a fresh one (after any queued turns)."""
        await self._replace(key)

    async def choose_persona(self, key: ChatKey, persona: Persona) -> None:
        """Switch the chat's persona; like /reset, this starts a fresh conversation."""
        await self._replace(key, persona)

    async def _replace(self, key: ChatKey, persona: Persona | None = None) -> None:
        try:
            await self._queues.run(key, lambda: self._conversations.replace(key, persona))
        except BackendError as exc:
            raise ConversationUnavailable(str(exc)) from exc

    async def persona_for(self, key: ChatKey) -> Persona:
        return await self._conversations.persona_for(key)

    async def history(self, key: ChatKey, limit: int) -> list[HistoryMessage]:
        """The chat's conversation, its last `limit` messages (ConversationUnavailable if the
        model server cannot say)."""
        try:
            return await self._conversations.history(key, limit)
        except BackendError as exc:
            raise ConversationUnavailable(str(exc)) from exc

    async def forget_person(self, user_id: int, forget: Callable[[], Awaitable[None]]) -> None:
        """ "Delete everything about me": after the private chat's queued turns, its remote
        conversation and files, then `forget` (the rows kept here). ConversationUnavailable
        if the server would not delete (nothing is forgotten then: it can be asked again)."""
        key = ChatKey(user_id)

        async def job() -> None:
            await self._conversations.delete(key)
            await forget()
            logger.info("Deleted the data of user %s, at their request", user_id)

        try:
            await self._queues.run(key, job)
        except BackendError as exc:
            raise ConversationUnavailable(str(exc)) from exc

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

    async def drain(self, grace: float, cut_short: asyncio.Event | None = None) -> None:
        """Shutting down: start nothing new, give running turns `grace` seconds to finish
        (less if `cut_short` is set meanwhile).

        Whatever is left stays in the inbox and is resumed at the next start.
        """
        await self._queues.close(grace, cut_short)

    async def aclose(self) -> None:
        await self._queues.close(0)

    @property
    def turns_running(self) -> int:
        return len(self._answerer.running)

    async def stop_answer(self, key: ChatKey, answer_id: int | None = None) -> bool:
        """Stop the chat's answer being written (the user pressed stop); False if none matches."""
        running = self._answerer.running.get(key)
        return running is not None and running.stop(answer_id)
