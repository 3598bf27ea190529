"""Answers shown while they are written: native drafts in private chats, edited messages in groups.

Both keep the growing text in two pieces: parts already complete (over 4096 characters, split on
Markdown boundaries) go out at once as real messages, and the rest is previewed. Previews are
throttled (a draft a second, an edit every three), never repeat identical text, and ask the rate
limiter for low priority, so they are the first thing dropped when Telegram's budget is short.
The final text is always sent in full, whatever became of the previews.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from telegram import Message
from telegram.error import TelegramError

from bot.delivery.rate_limiter import room_for_low_priority, was_skipped
from bot.delivery.sender import TEXT_LIMIT, MessageSender, with_plain_fallback
from bot.rendering.markdown import MessagePart, format_answer, preview_part, with_note
from bot.rendering.splitting import split_markdown, utf16_len

logger = logging.getLogger(__name__)


class LivePreview(abc.ABC):
    """The shared bookkeeping: what has been streamed, sent for good, and previewed."""

    endpoint: str  # the Telegram method that shows a preview
    answer_id: int | None = None
    # Whether a status line ("🧮 Running Python…") may show under the text: only where the
    # preview vanishes by itself (a draft), never in a group's message that would keep it.
    shows_status = False

    def __init__(
        self, sender: MessageSender, *, min_interval: float, keepalive: float | None
    ) -> None:
        self._sender = sender
        self._min_interval = min_interval
        self._keepalive = keepalive
        self._streamed = ""  # everything received so far
        self._pending = ""  # the part not yet sent as a real message
        self._shown = ""  # what the preview shows
        self._status = ""  # a line under the text while a tool works; gone with new text
        self.posted = False  # part of the answer is a message in the chat already
        self._last_shown = 0.0
        self._changed = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one writer at a time: pump, finished parts, finish
        self._stopping = False

    @abc.abstractmethod
    async def _show(self, part: MessagePart) -> bool:
        """Show the preview; False if the rate limiter skipped it."""

    @abc.abstractmethod
    async def _deliver(self, part: MessagePart) -> None:
        """Send a part of the answer for good (a finished part, or the end of the answer)."""

    async def update(self, text: str) -> None:
        """The answer so far. Returns quickly: previews are sent by a background pump."""
        if not text.startswith(self._streamed):
            logger.warning("Streamed text changed under us in chat %s", self._sender.chat_id)
            return
        if text != self._streamed:
            self._status = ""
        self._pending += text[len(self._streamed) :]
        self._streamed = text
        if utf16_len(self._pending) > TEXT_LIMIT:
            async with self._lock:
                await self._send_finished_parts()
        self._changed.set()
        if self._pump is None:
            self._pump = asyncio.create_task(self._run(), name="live preview")

    async def status(self, line: str) -> None:
        """Show `line` (Markdown) under the text so far, until more text comes."""
        if not self.shows_status:
            return
        self._status = line
        self._changed.set()
        if self._pump is None:
            self._pump = asyncio.create_task(self._run(), name="live preview")

    async def finish(self, markdown: str, note: str = "") -> None:
        """Send the final answer: whatever part of it is not already out as real messages."""
        await self._stop_pump()
        async with self._lock:
            if markdown.startswith(self._streamed):
                rest = self._pending + markdown[len(self._streamed) :]
            elif not self._streamed or self._pending == self._streamed:
                rest = markdown  # nothing was sent for good: the final text replaces all
            else:
                logger.warning(
                    "Final text differs from the stream in chat %s", self._sender.chat_id
                )
                rest = self._pending
            for part in with_note(format_answer(rest, TEXT_LIMIT), note, TEXT_LIMIT):
                await self._deliver(part)

    async def discard(self) -> None:
        """The turn ended without an answer to keep (an error notice follows)."""
        await self._stop_pump()

    async def _send_finished_parts(self) -> None:
        chunks = split_markdown(self._pending, TEXT_LIMIT)
        if len(chunks) < 2:
            return
        trailing = self._pending[len(self._pending.rstrip()) :]
        self.posted = True
        for chunk in chunks[:-1]:
            for part in format_answer(chunk, TEXT_LIMIT):
                await self._deliver(part)
        self._pending = chunks[-1] + trailing
        self._shown = ""

    async def _run(self) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow the cancellation
        # that stops this pump when it coincides with new text, leaving the pump running.
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._keepalive):
                    await self._changed.wait()
            if self._stopping:
                return
            self._changed.clear()
            wait = self._last_shown + self._min_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            async with self._lock:
                await self._preview()

    async def _preview(self) -> None:
        preview = self._pending.strip()
        if self._status:
            preview = f"{preview}\n\n{self._status}" if preview else self._status
        if not preview or (preview == self._shown and self._keepalive is None):
            return
        part = preview_part(preview, TEXT_LIMIT)
        if part is None:  # nothing to see yet (an opening code fence): keep what shows
            return
        bot, chat_id = self._sender.bot, self._sender.chat_id
        if self._shown and not room_for_low_priority(bot, chat_id, self.endpoint):
            self._last_shown = time.monotonic()  # try again an interval later
            return
        shown = True
        try:
            shown = await self._show(part)
        except TelegramError as exc:  # a preview is decoration: never fatal
            logger.debug("Preview in chat %s failed: %r", chat_id, exc)
        if shown:
            self._shown = preview
        self._last_shown = time.monotonic()  # shown or skipped: next try an interval on

    async def _stop_pump(self) -> None:
        self._stopping = True
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None


class DraftAnswer(LivePreview):
    """Private chats: Telegram's native streaming drafts, with a stop button."""

    endpoint = "sendMessageDraft"
    shows_status = True

    def __init__(
        self,
        sender: MessageSender,
        draft_id: int,
        *,
        can_stop: bool = True,
        acknowledged: Callable[[], bool] = lambda: False,
    ) -> None:
        # A draft is a ~30 s preview: refresh it well before it fades while the model is quiet.
        super().__init__(sender, min_interval=1.0, keepalive=15.0)
        self._acknowledged = acknowledged  # whether the chat already shows "typing…"
        self.answer_id = draft_id
        self._draft_id = draft_id
        self._can_stop = can_stop

    async def _show(self, part: MessagePart) -> bool:
        sender = self._sender

        async def draft(text: str, parse_mode: str | None) -> bool:
            await sender.bot.send_message_draft(
                sender.chat_id,
                self._draft_id,
                text=text,
                parse_mode=parse_mode,
                message_thread_id=sender.topic_id,
                api_kwargs={"can_stop": True} if self._can_stop else None,
                # The first words wait for budget (as the sign of life unless "typing…"
                # already shows, then behind other chats' signs of life); later drafts may
                # be skipped.
                rate_limit_args=None if self._shown else {"priority": self._first_priority()},
            )
            return not was_skipped()

        return await with_plain_fallback(draft, part, sender.chat_id)

    async def _deliver(self, part: MessagePart) -> None:
        await self._sender.send(part)

    def _first_priority(self) -> str:
        return "words" if self._acknowledged() else "ack"


class EditedAnswer(LivePreview):
    """Groups (GROUP_STREAMING=edit): one message, edited as the answer grows."""

    endpoint = "editMessageText"

    def __init__(self, sender: MessageSender, *, min_interval: float = 3.0) -> None:
        super().__init__(sender, min_interval=min_interval, keepalive=None)
        self._message: Message | None = None
        self._message_text = ""

    async def _show(self, part: MessagePart) -> bool:
        if self._message is None:
            self._message = await self._sender.send(part)
            self.posted = True
        elif part.plain != self._message_text:
            await self._sender.edit(self._message, part, low_priority=True)
        self._message_text = part.plain
        return True

    async def _deliver(self, part: MessagePart) -> None:
        """Turn the message being edited into this part (or send it); the next part is new."""
        if self._message is None:
            await self._sender.send(part)
        elif part.plain != self._message_text:
            await self._sender.edit(self._message, part, low_priority=False)
        self._message, self._message_text = None, ""
