"""The fake model behind every fake OpenAI API: scripted replies, and a record of every turn.

Whichever API asked (Responses, threads/runs, Chat Completions), each model call is recorded as a
backend-neutral `Turn`, so one end-to-end suite can check any backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.billing import Billed, PromptCache, Segment, segment, text_tokens
from tests.fakes.openai_media import SeenMedia


@dataclass
class Reply:
    """What the fake model does for one turn."""

    text: str | None = None  # None: derived from the input by `FakeModel.answer_for`
    delay: float = 0.0
    status: str = "completed"  # completed | incomplete | failed | requires_action | expired
    incomplete_reason: str = "max_output_tokens"
    error_code: str = "server_error"
    hold: asyncio.Event | None = None  # generation finishes only once this is set
    chunk_delay: float = 0.0  # pause between streamed chunks
    chunks: int = 8  # how many pieces a streamed answer comes in
    code: str | None = None  # Python the model runs, if it was given the code interpreter
    sources: list[tuple[str, str]] = field(default_factory=list)  # (title, url) it finds and
    # cites, if it was given web search
    writes: list[tuple[str, bytes]] = field(default_factory=list)  # files its code writes
    cite: bool = True  # whether its answer cites the files it wrote (models sometimes do not)
    hold_code: asyncio.Event | None = None  # its code finishes running only once this is set
    draws: list[bytes] = field(default_factory=list)  # images it makes, if given the image tool
    # (a forced image_generation makes one PNG when none is scripted)
    draw_refused: bool = False  # the image tool refuses (moderation_blocked)
    # Functions it calls (name, arguments) instead of answering, if the request offers them
    # all; its answer comes in the next model call, which reads their outputs.
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Turn:
    """One model call: what it was given and what it answered."""

    api: str  # "responses" | "assistants" | "chat"
    conversation: str | None  # conv_… or thread_…; None for Chat Completions
    instructions: str
    input: str
    history: list[str]
    reply: Reply
    text: str
    remote_id: str = ""
    status: str = "queued"
    request: dict[str, Any] = field(default_factory=dict)
    media: list[SeenMedia] = field(default_factory=list)  # images and files, decoded
    history_media: int = 0  # images and files earlier turns left in the conversation
    billed: Billed = field(default_factory=lambda: Billed(0))  # what the API reports it used
    sequence: int = 0  # how many model calls came before it
    requested_at: float = field(default_factory=time.monotonic)  # monotonic times, for the
    first_token_at: float | None = None  # benchmark
    finished_at: float | None = None


def offered_functions(request: dict[str, Any]) -> set[str]:
    """The functions a request offers, in either API's shape."""
    names = set()
    for tool in request.get("tools") or []:
        if tool.get("type") == "function":
            names.add(str((tool.get("function") or tool).get("name")))
    return names


def calls_made(turn: Turn) -> list[tuple[str, dict[str, Any]]]:
    """The scripted calls, if the request offers every function they name (a model calls
    only what it was given)."""
    calls = turn.reply.calls
    if calls and {name for name, _ in calls} <= offered_functions(turn.request):
        return calls
    return []


class FakeModel:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.default_reply: Callable[[], Reply] = Reply
        self.turns: list[Turn] = []
        # What an unscripted reply says, from what the model was given.
        self.answer_for: Callable[[Turn], str] = default_answer
        self.cache = PromptCache()
        self.ids = itertools.count(1)
        self._stopping = asyncio.Event()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.ids):032x}"

    def begin(
        self,
        api: str,
        *,
        conversation: str | None,
        instructions: str,
        input: str,
        history: list[str],
        request: dict[str, Any],
        media: list[SeenMedia] | None = None,
        history_media: int = 0,
        prompt: list[Segment] | None = None,
    ) -> Turn:
        """A model call; `prompt`: what it reads, as segments (default: the instructions, each
        history entry and the input), billed through the prompt cache."""
        reply = self.replies.popleft() if self.replies else self.default_reply()
        turn = Turn(
            api,
            conversation,
            instructions,
            input,
            history,
            reply,
            "",
            request=request,
            media=media or [],
            history_media=history_media,
            sequence=len(self.turns),
        )
        turn.text = reply.text if reply.text is not None else self.answer_for(turn)
        if calls_made(turn):
            turn.text = ""  # it calls instead of answering
        if prompt is None:
            prompt = [
                segment("instructions", instructions),
                *(segment("context", h) for h in history),
                segment("input", input, media_tokens(turn.media)),
            ]
        cached, written = self.cache.bill(request, prompt)
        effort = (request.get("reasoning") or {}).get("effort") or request.get("reasoning_effort")
        turn.billed = Billed(
            input=sum(s.tokens for s in prompt),
            cached=cached,
            written=written,
            output=text_tokens(turn.text) + (3 if effort else 0),
            reasoning=3 if effort else 0,
        )
        self.turns.append(turn)
        return turn

    async def think(self, turn: Turn) -> None:
        """Wait as long as the scripted reply says the model takes."""
        turn.status = "in_progress"
        if turn.reply.hold is not None:
            await turn.reply.hold.wait()
        if turn.reply.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), turn.reply.delay)
        turn.first_token_at = time.monotonic()

    @staticmethod
    def finished(turn: Turn) -> None:
        if turn.finished_at is None:
            turn.finished_at = time.monotonic()

    def release_all(self) -> None:
        """Let every held or slow turn finish, so in-flight requests end before the server stops."""
        self._stopping.set()
        for reply in [*(t.reply for t in self.turns), *self.replies]:
            for held in (reply.hold, reply.hold_code):
                if held is not None:
                    held.set()

    def chunks(self, text: str, count: int) -> list[str]:
        size = max(1, -(-len(text) // max(1, count)))
        return [text[i : i + size] for i in range(0, len(text), size)] or [""]


IMAGE_TOKENS = 1_440  # a 1280x960 photo at detail "high"


def media_tokens(media: list[SeenMedia]) -> int:
    """Images at their detail's price, files by their size."""
    return sum(IMAGE_TOKENS if m.kind == "image" else len(m.data) // 20 for m in media)


def default_answer(turn: Turn) -> str:
    """An answer that names the turn and echoes what it was asked; asked to summarise (the chat
    backend's compaction), a summary of what it was given."""
    if "summarise the conversation" in turn.instructions.lower():
        return summarise(turn.input.splitlines(), max(64, len(turn.input) // 16))
    return f"Answer #{turn.sequence} to: {turn.input}"


def summarise(texts: list[str], most_tokens: int) -> str:
    """The fake model's summary: the first sentence of each text that is not the assistant's,
    oldest first, as many as fit in `most_tokens` (a real model keeps what matters; this one
    keeps what came first, which is what the tests ask of it)."""
    kept: list[str] = []
    used = 0
    for text in texts:
        if text.lower().startswith("assistant:"):
            continue
        for line in text.splitlines():
            first = line.split(". ")[0].strip()
            if not first:
                continue
            cost = text_tokens(first)
            if used + cost > most_tokens:
                return "\n".join(kept)
            kept.append(first)
            used += cost
    return "\n".join(kept)


SNAPSHOT = "-2026-11-20"  # OpenAI answers with the dated model that served the request


def error_body(
    message: str,
    *,
    type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def input_text(value: Any) -> str:
    """The text of an `input`/`content`: a string, or items/parts carrying text."""
    if isinstance(value, str):
        return value
    texts: list[str] = []
    for item in value or []:
        if isinstance(item, str):
            texts.append(item)
            continue
        content = item.get("content", item.get("text", item.get("output")))
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.append(input_text(content))
    return "\n".join(texts)
