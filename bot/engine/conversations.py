"""Which remote conversation each chat talks to: created on first use, replaced, moved, purged.

Every chat (or forum topic) has at most one conversation on the configured backend; its id and
persona are stored before the conversation is used, so a restart never starts a second one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.backends import Backend, BackendError
from bot.personas import Persona, PersonaBook
from storage import ChatKey, ChatRecord, HistoryMessage
from storage.repositories import Chats, ChatStatuses, Files

logger = logging.getLogger(__name__)


class ConversationUnavailable(Exception):
    """/reset or /persona could not start a new conversation (the model server said why)."""


@dataclass(frozen=True, slots=True)
class LiveConversation:
    """A conversation known to exist on the backend (as far as the bot knows)."""

    key: ChatKey
    id: str
    persona: Persona


class Conversations:
    def __init__(
        self,
        chats: Chats,
        statuses: ChatStatuses,
        files: Files,
        backend: Backend,
        personas: PersonaBook,
    ) -> None:
        self._chats = chats
        self._chat_status = statuses
        self._files = files
        self._backend = backend
        self._personas = personas

    async def current(self, key: ChatKey) -> LiveConversation:
        """The chat's conversation, created (and stored before use) if it has none here."""
        record = await self._chats.get(key)
        persona = self._personas.resolve(record.persona if record else None)
        if record is not None and record.conversation_id and self._ours(record):
            return LiveConversation(key, record.conversation_id, persona)
        return await self.start_new(key, persona)

    async def stored(self, key: ChatKey) -> tuple[str | None, Persona]:
        """The chat's conversation id as stored (None if it has none of ours yet) and persona,
        in one read: what metering needs before a turn, without creating anything."""
        record = await self._chats.get(key)
        persona = self._personas.resolve(record.persona if record else None)
        ours = record is not None and record.conversation_id and self._ours(record)
        return (record.conversation_id if ours and record else None), persona

    async def live(
        self, key: ChatKey, conversation_id: str | None, persona: Persona
    ) -> LiveConversation:
        """The conversation `stored` returned, created (and stored) if there was none."""
        if conversation_id is not None:
            return LiveConversation(key, conversation_id, persona)
        return await self.start_new(key, persona)

    async def persona_for(self, key: ChatKey) -> Persona:
        record = await self._chats.get(key)
        return self._personas.resolve(record.persona if record else None)

    async def start_new(self, key: ChatKey, persona: Persona) -> LiveConversation:
        conversation_id = await self._backend.create_conversation(
            {"chat": str(key.chat_id), "topic": str(key.topic_id), "persona": persona.name}
        )
        await self._chats.save(ChatRecord(key, self._backend.name, conversation_id, persona.name))
        logger.info("Chat %s now uses conversation %s (%s)", key, conversation_id, persona.name)
        return LiveConversation(key, conversation_id, persona)

    async def replace(self, key: ChatKey, persona: Persona | None = None) -> None:
        """Delete the chat's conversation (best effort), then start and store a new one.

        `persona` switches the persona; None keeps the chat's. If the new conversation cannot
        be created, the row keeps the persona and no conversation, so the next message creates
        one; the error still reaches the caller to tell the user.
        """
        old = await self._chats.get(key)
        persona = persona or self._personas.resolve(old.persona if old else None)
        if old is not None and old.conversation_id and self._ours(old):
            await self._delete_remote(old.conversation_id)
        await self._files.chat_files_forgotten(key)
        try:
            await self.start_new(key, persona)
        except BackendError:
            await self._chats.save(ChatRecord(key, self._backend.name, None, persona.name))
            raise

    async def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: its conversations follow it, nothing is restarted."""
        await self._chats.move(old_chat_id, new_chat_id)
        logger.info("Chat %s moved to %s", old_chat_id, new_chat_id)

    async def set_reachable(self, chat_id: int, reachable: bool) -> None:
        """Unreachable (blocked or removed): the conversation is kept, the chat marked inactive."""
        await self._chat_status.set_active(chat_id, reachable)
        if not reachable:
            logger.info("Chat %s is inactive (the bot cannot write there)", chat_id)

    async def purge_inactive(self, days: int) -> int:
        """Delete (remotely and locally) conversations of chats inactive for `days` days."""
        purged = 0
        for record in await self._chats.inactive_for(days):
            remote = record.conversation_id if self._ours(record) else None
            if remote and not await self._delete_remote(remote):
                continue
            await self._chats.delete(record.key)
            await self._files.chat_files_forgotten(record.key)
            purged += 1
        if purged:
            logger.info("Retention: deleted %d conversations of inactive chats", purged)
        return purged

    async def history(self, key: ChatKey, limit: int) -> list[HistoryMessage]:
        """The chat's conversation as the backend keeps it (none yet: empty)."""
        record = await self._chats.get(key)
        if record is None or not record.conversation_id or not self._ours(record):
            return []
        return await self._backend.history(record.conversation_id, limit)

    async def delete(self, key: ChatKey) -> None:
        """Delete the chat's conversation remotely (its files with it), for good: nothing
        starts a new one until the chat's next message. BackendError if the server failed
        (then nothing is forgotten here either, so it can be asked again)."""
        record = await self._chats.get(key)
        if record is not None and record.conversation_id and self._ours(record):
            await self._backend.delete_conversation(record.conversation_id)
        await self._files.chat_files_forgotten(key)

    def _ours(self, record: ChatRecord) -> bool:
        """Ids of another backend are never sent to this one."""
        return record.backend == self._backend.name

    async def _delete_remote(self, conversation_id: str) -> bool:
        try:
            await self._backend.delete_conversation(conversation_id)
        except BackendError as exc:
            logger.warning("Could not delete conversation %s: %s", conversation_id, exc)
            return False
        return True
