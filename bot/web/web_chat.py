"""The web chat's way out: a `ReplyChannel` whose answer goes to the page that asked, as events
of one stream, instead of to Telegram.

The page gets the answer as it is written (the whole answer so far, rendered to the bot's safe
HTML at most a few times a second: re-rendering on every token is what makes long answers crawl
in other web chats), the model's status lines, the final answer and the bot's notices. What a
page cannot hold goes to the person's private Telegram chat, as it would have: files the model
made, and the Yes/No questions of the owner's tools (their buttons answer there).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

from bot.engine.ports import Activity, LiveAnswer, Question, ReplyChannel, RetryButton
from bot.rendering.markdown import render_markdown

PREVIEW_EVERY = 0.2  # seconds between two renders of the answer so far


@dataclass(frozen=True, slots=True)
class StreamEvent:
    kind: str  # typing | text | status | answer | notice | end
    html: str = ""

    def encoded(self) -> bytes:
        """As a server-sent event (the page reads them from a fetch, not an EventSource: it
        sends the Mini App's credentials in a header)."""
        return f"event: {self.kind}\ndata: {json.dumps({'html': self.html})}\n\n".encode()


class WebChannel:
    """One web turn's channel: events into `events`, until `end()`."""

    def __init__(self, telegram: ReplyChannel, moved_to_telegram: str) -> None:
        self.events: asyncio.Queue[StreamEvent] = asyncio.Queue()
        self._telegram = telegram  # the person's private chat, for files and questions
        self._moved = moved_to_telegram  # the notice saying so (HTML)
        self._typing_shown = False

    def end(self) -> None:
        self.events.put_nowait(StreamEvent("end"))

    def put(self, kind: str, html: str = "") -> None:
        self.events.put_nowait(StreamEvent(kind, html))

    async def show_typing(self, acknowledge: bool = False) -> bool:
        if not self._typing_shown:
            self._typing_shown = True
            self.put("typing")
        return True

    def set_activity(self, activity: Activity) -> None:
        pass  # the page shows "…" whatever the bot is doing

    def live_answer(self) -> LiveAnswer | None:
        return WebLiveAnswer(self)

    async def send_answer(self, markdown: str, note: str = "") -> None:
        self.put("answer", render_markdown(markdown) + (f"\n\n{note}" if note else ""))

    async def send_notice(self, text: str, retry: RetryButton | None = None) -> None:
        self.put("notice", text)  # the bot's own texts: already the safe HTML subset

    async def ask(self, question: Question) -> None:
        await self._telegram.ask(question)
        self.put("notice", self._moved)

    async def send_files(
        self, files: list[tuple[str, bytes]], caption: str = "", note: str = ""
    ) -> bool:
        sent = await self._telegram.send_files(files, caption, note)
        self.put("notice", self._moved)
        return sent


class WebLiveAnswer:
    """The answer shown while it is written: the whole text so far, rendered now and then."""

    def __init__(self, channel: WebChannel) -> None:
        self._channel = channel
        self._shown_at = 0.0
        self._pending: str | None = None
        self._flush: asyncio.TimerHandle | None = None

    @property
    def answer_id(self) -> int | None:
        return None

    @property
    def posted(self) -> bool:
        return False

    async def update(self, text: str) -> None:
        self._pending = text
        wait = self._shown_at + PREVIEW_EVERY - time.monotonic()
        if wait <= 0:
            self._show()
        elif self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(wait, self._show)

    def _show(self) -> None:
        self._flush = None
        if self._pending is not None:
            self._shown_at = time.monotonic()
            self._channel.put("text", render_markdown(self._pending))
            self._pending = None

    async def status(self, line: str) -> None:
        self._channel.put("status", render_markdown(line))

    async def finish(self, markdown: str, note: str = "") -> None:
        self._cancel()
        await self._channel.send_answer(markdown, note)

    async def discard(self) -> None:
        self._cancel()

    def _cancel(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        self._pending = None
