"""A message's reply: the notices, the files the model made, the answer (live or whole), then
the inbox's bookkeeping — kept a day for "Try again", or let go once the user has read it."""

from __future__ import annotations

import logging

from bot.engine.outcome import Outcome
from bot.engine.ports import LiveAnswer, ReplyChannel, RetryButton
from bot.engine.tool_results import ToolResults
from bot.texts import Texts
from storage import InboxEntry, StorageUnavailable
from storage.repositories import Inbox

logger = logging.getLogger(__name__)


class Replies:
    def __init__(self, inbox: Inbox, tool_results: ToolResults) -> None:
        self._inbox = inbox
        self._tool_results = tool_results
        self._uncleared: set[int] = set()  # answered, but storage refused to clear them

    async def deliver(
        self,
        entry: InboxEntry,
        outcome: Outcome,
        channel: ReplyChannel,
        live: LiveAnswer | None,
        texts: Texts,
    ) -> None:
        """Send what the turn left to say, then let the inbox forget the message."""
        retry = RetryButton(texts.retry_button, entry.id) if outcome.retry else None
        for n, notice in enumerate(outcome.notices, start=1):
            await channel.send_notice(notice, retry if n == len(outcome.notices) else None)
        captioned = False
        if outcome.files:
            # A short answer rides with the files as their caption: one message, not two
            # (unless part of it is already in the chat, as a group's edited message is).
            caption = "" if live is not None and live.posted else outcome.answer
            captioned = await self._tool_results.send_files(
                entry, outcome.files, channel, texts, caption, outcome.note
            )
        if captioned:
            if live is not None:
                await live.discard()
        elif outcome.answer and live is not None:
            await live.finish(outcome.answer, outcome.note)
        elif outcome.answer:
            await channel.send_answer(outcome.answer, outcome.note)
        if outcome.retry:
            await self._keep_for_retry(entry)
        else:
            await self.forget(entry)

    async def _keep_for_retry(self, entry: InboxEntry) -> None:
        try:
            await self._inbox.failed(entry.id)
        except StorageUnavailable as exc:  # at worst the button says the message is gone
            logger.error(
                "Message %s in chat %s not kept for a retry: %s", entry.message_id, entry.key, exc
            )

    async def forget(self, entry: InboxEntry) -> None:
        """The message was answered (or told why not): the inbox may let it go.

        If storage fails just then, the entry is cleared with the next one that can be, so
        a restart does not deliver it again (unless the bot stops before storage recovers).
        Chats answer concurrently, so only ids that failed before are shared: clearing one
        twice is harmless, skipping one is not.
        """
        waiting = [entry.id, *sorted(self._uncleared - {entry.id})]
        for n, entry_id in enumerate(waiting):
            try:
                await self._inbox.done(entry_id)
            except StorageUnavailable as exc:
                self._uncleared.update(waiting[n:])
                logger.error(
                    "Message %s in chat %s answered but still in the inbox (%s); clearing it later",
                    entry.message_id,
                    entry.key,
                    exc,
                )
                return
            self._uncleared.discard(entry_id)
