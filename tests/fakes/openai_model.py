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
    requested_at: float = field(default_factory=time.monotonic)  # monotonic times, for the
    first_token_at: float | None = None  # benchmark
    finished_at: float | None = None


class FakeModel:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.default_reply: Callable[[], Reply] = Reply
        self.turns: list[Turn] = []
        self.answer_for: Callable[[str, str], str] = lambda text, instructions: (
            f"Answer #{len(self.turns)} to: {text}"
        )
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
    ) -> Turn:
        reply = self.replies.popleft() if self.replies else self.default_reply()
        text = reply.text if reply.text is not None else self.answer_for(input, instructions)
        turn = Turn(
            api,
            conversation,
            instructions,
            input,
            history,
            reply,
            text,
            request=request,
            media=media or [],
            history_media=history_media,
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


def usage_counts(prompt: str, answer: str, turn: Turn | None = None) -> tuple[int, int]:
    """Input and output tokens; images (this turn's and those still in the conversation) are
    billed as input every time they are sent, files by their size."""
    media = 0
    if turn is not None:
        media = IMAGE_TOKENS * turn.history_media + sum(
            IMAGE_TOKENS if m.kind == "image" else len(m.data) // 20 for m in turn.media
        )
    return 10 + len(prompt) // 4 + media, 1 + len(answer) // 4


def usage_details(turn: Turn, prompt_tokens: int) -> tuple[int, int, int]:
    """(cached, cache-written, reasoning) tokens: the history is read from the prompt cache,
    half of the new input is written to it, and a model asked for reasoning thinks a little."""
    cached = max(0, min(prompt_tokens - 1, 8 * len(turn.history)))
    effort = (turn.request.get("reasoning") or {}).get("effort") or turn.request.get(
        "reasoning_effort"
    )
    return cached, (prompt_tokens - cached) // 2, 3 if effort else 0


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
        content = item.get("content", item.get("text"))
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            texts.append(input_text(content))
    return "\n".join(texts)
