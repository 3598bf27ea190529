"""The web chat's messages: each one into the inbox and the chat's queue like a Telegram
message (same conversation, persona and budgets, in order with the Telegram ones), its answer
streamed back to the page as server-sent events.

One message at a time per person, twenty a minute. The process that serves the page answers,
holding the chat's lease as for a Telegram update; while another process answers the chat, the
page is asked to try again in a moment. A page that leaves does not stop the turn: its answer is
in the conversation (and, if the process stops first, is delivered in Telegram at the next
start: the inbox keeps the message).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.engine import ChatEngine, ChatLanguages, ReplyChannel
from bot.web.rate_limits import RateLimit
from bot.web.replies import said
from bot.web.sessions import Visitor
from bot.web.web_chat import WebChannel
from bot.web.words import WORDS
from storage import ChatKey

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4000  # characters in one web chat message (Telegram's own is 4096)
STREAM_HEADERS = {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # proxies pass each event on at once
}


def web_message_id() -> int:
    """A web message's id in the inbox and the ledger: negative, so it never meets one of
    Telegram's (which count up from 1 in each chat)."""
    return -time.time_ns() // 1000


class ChatTurns:
    def __init__(
        self,
        engine: ChatEngine,
        languages: ChatLanguages,
        hold_chat: Callable[[int], Awaitable[bool]],
        telegram_chat: Callable[[int], ReplyChannel],
    ) -> None:
        self._engine = engine
        self._languages = languages
        self._hold_chat = hold_chat  # this process may answer the chat now
        self._telegram_chat = telegram_chat  # for files and questions
        self._per_minute = RateLimit(20, 60.0)
        self._busy: set[int] = set()  # people with a message on its way (one at a time)
        self._streams: dict[int, WebChannel] = {}  # answers being streamed, per person

    def close(self) -> None:
        """Stopping: end every stream now (the turns go on; their answers stay in the
        conversation, or reach Telegram after a restart), so no page holds the stop up."""
        for channel in self._streams.values():
            channel.end()

    async def send(
        self, request: web.Request, visitor: Visitor, form: dict[str, str]
    ) -> web.StreamResponse:
        uid, w = visitor.user_id, WORDS[visitor.language]
        text = form.get("text", "").strip()
        if not text:
            return said(w.write_something, 400)
        if len(text) > MESSAGE_LIMIT:
            return said(w.too_long.format(limit=MESSAGE_LIMIT), 400)
        if uid in self._busy:
            return said(w.wait_for_answer, 409)
        if not self._per_minute.allow(str(uid)):
            return said(w.too_many_messages, 429)
        self._busy.add(uid)
        try:
            if not await self._hold_chat(uid):
                return said(w.other_process, 409)
            return await self._answer(request, visitor, text)
        finally:
            self._busy.discard(uid)
            self._streams.pop(uid, None)

    async def _answer(
        self, request: web.Request, visitor: Visitor, text: str
    ) -> web.StreamResponse:
        uid, language = visitor.user_id, visitor.language
        channel = WebChannel(self._telegram_chat(uid), WORDS[language].moved_to_telegram)
        self._streams[uid] = channel
        accepted = await self._engine.accept_message(
            ChatKey(uid),
            text,
            channel,
            message_id=web_message_id(),
            private=True,
            language=language,
            user_id=uid,
            then=channel.end,
        )
        if not accepted:
            return said(WORDS[language].sent_already, 409)
        response = web.StreamResponse(headers=STREAM_HEADERS)
        await response.prepare(request)
        while True:
            event = await channel.events.get()
            try:
                await response.write(event.encoded())
            except ConnectionError:
                logger.info("The page of user %s left before the answer ended", uid)
                break  # the turn goes on: its answer is in the conversation
            if event.kind == "end":
                break
        return response
