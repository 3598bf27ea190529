"""Chat Completions: any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio, OpenRouter…).

The server keeps no conversation, so ours lives in SQLite: the persona as the system message, then
the newest turns that fit the context window (see `history_budget`). A turn is stored only once it
is answered, so a failed call leaves the history as it was — which also makes the call safe to
retry, and the SDK's own retries are left on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import openai
from openai.types.chat import ChatCompletionMessageParam

from bot.backends.backend_errors import (
    BackendError,
    BackendUnavailable,
)
from bot.backends.base import (
    Artifact,
    MediaSupport,
    ModelSettings,
    ToolStarted,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.backends.chat_api.chat_results import (
    with_compaction,
    with_search,
)
from bot.backends.chat_api.chat_vision import Vision, remembered
from bot.backends.chat_api.compactor import Compactor
from bot.backends.chat_api.completions import Completions
from bot.backends.chat_api.function_messages import function_messages
from bot.backends.chat_api.history_budget import fit_history, prompt_budget
from bot.backends.chat_api.passages import Passage, cited, with_passages
from bot.backends.chat_api.retrieval import Retrieval
from bot.backends.function_rounds import with_function_calls
from bot.backends.openai_calls import (
    OptionalParameters,
    translated,
)
from bot.backends.turn_tools import KnowledgeCopy, KnowledgeFile
from bot.media.settings import ChatVision
from storage import HistoryMessage, Tool
from storage.repositories import Histories, KnowledgeIndex

logger = logging.getLogger(__name__)

LOCAL_PREFIX = "local_"
# Sent to every server; one that refuses one is asked again without it, from then on (local
# servers ignore the cache's; some gateways refuse stream_options, which brings the usage).
OPTIONAL = ("prompt_cache_key", "prompt_cache_options", "stream_options")


class ChatCompletionsBackend:
    name = "chat"
    # The servers run no hosted tools; the bot searches a persona's documents itself.
    tools: frozenset[Tool] = frozenset({"file_search"})

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        settings: ModelSettings,
        history: Histories,
        *,
        context_tokens: int,
        vision: ChatVision = "auto",
        index: KnowledgeIndex | None = None,
        embedding_model: str | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._history = history
        self._budget = prompt_budget(context_tokens, settings.max_output_tokens)
        self._vision = Vision(vision, settings.image_detail)
        # Compacted below the window, with room for the pass's own request and answer.
        budget = settings.context_budget
        self._compactor = Compactor(
            client, settings, history, min(budget, self._budget * 3 // 4) if budget else None
        )
        self._completions = Completions(
            client, settings, OptionalParameters(self.name, OPTIONAL), OPTIONAL
        )
        self._retrieval = (
            Retrieval(client, embedding_model or settings.model, index)
            if index is not None
            else None
        )

    @property
    def media(self) -> MediaSupport:
        """Images as data URLs if the server can see; PDFs never (few servers take files)."""
        return MediaSupport(images=self._vision.can_see, pdf=False)

    async def start(self) -> None:
        """Load the SDK's modules now, before any chat waits; the server holds no state of ours."""
        _ = self._client.chat.completions

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        return LOCAL_PREFIX + uuid.uuid4().hex

    async def sync_knowledge(
        self, name: str, files: tuple[KnowledgeFile, ...]
    ) -> KnowledgeCopy | None:
        """The documents embedded with the server's /embeddings and searched by the bot."""
        return await self._retrieval.sync(name, files) if self._retrieval is not None else None

    async def delete_conversation(self, conversation_id: str) -> None:
        await self._history.delete(conversation_id)

    async def history(self, conversation_id: str, limit: int) -> list[HistoryMessage]:
        said: list[HistoryMessage] = []
        for message in await self._history.of(conversation_id):
            if message.role == "summary" or not message.content.strip():
                continue  # a summary is the bot's note to the model, not a message
            said.append(
                HistoryMessage("user" if message.role == "user" else "assistant", message.content)
            )
        return said[-limit:]

    def run_turn(
        self, conversation_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        return self._turn(conversation_id, turn, stream)

    async def _turn(
        self, conversation_id: str, turn: TurnInput, stream: bool
    ) -> AsyncIterator[TurnEvent]:
        deadline = self._settings.deadline()
        found: list[Passage] = []
        if turn.knowledge and "file_search" in turn.tools and self._retrieval is not None:
            yield ToolStarted("file_search")
            found = await self._retrieval.search(turn.knowledge, turn.text)
        context = await self._compactor.context(conversation_id, turn, deadline)
        history = context.history
        asked = replace(turn, text=with_passages(turn.text, found)) if found else turn
        kept = fit_history(context.system, history, asked.text, self._budget)
        if len(kept) < len(history):
            logger.info(
                "Conversation %s: sending the newest %d of %d messages to fit the context",
                conversation_id,
                len(kept),
                len(history),
            )
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": context.system},
            *(_message(m) for m in kept),
            self._vision.user_message(asked),
        ]
        options = self._completions.options(turn, conversation_id)

        def next_round(then: TurnInput) -> AsyncIterator[TurnEvent]:
            # The calls and their outputs join the request; only the answer is kept after.
            messages.extend(function_messages(then.function_outputs))
            return self._round(messages, options, then, stream)

        result: TurnResult | None = None
        async for event in with_function_calls(
            self._round(messages, options, turn, stream), turn, next_round
        ):
            if isinstance(event, TurnResult):
                result = event
            else:
                yield event
        if result is None:
            raise BackendUnavailable("the stream ended without a result")
        if context.compaction is not None:
            result = with_compaction(result, context.compaction)
        if turn.knowledge and "file_search" in turn.tools and self._retrieval is not None:
            result = with_search(result, cited(found))
        if result.status in (TurnStatus.COMPLETED, TurnStatus.INCOMPLETE) and result.text:
            # Images are not kept: re-sent on every turn they would be paid for every turn.
            await self._history.append(
                conversation_id,
                [
                    HistoryMessage("user", remembered(turn)),
                    HistoryMessage("assistant", result.text),
                ],
            )
        yield result

    async def _round(
        self,
        messages: list[ChatCompletionMessageParam],
        options: dict[str, Any],
        turn: TurnInput,
        stream: bool,
    ) -> AsyncIterator[TurnEvent]:
        """One completion: the turn's, or its continuation after the owner's functions ran."""
        deadline = self._settings.deadline()
        text: list[str] = []
        try:
            with self._vision.seeing(turn), translated():
                # Images are not streamed: a server that cannot see may answer 200 with an
                # error body, which only a whole completion shows.
                if stream and not turn.images:
                    async for event in self._completions.stream(messages, options, deadline, text):
                        yield event
                else:
                    result = await self._completions.complete(
                        messages, options, deadline, images=bool(turn.images)
                    )
                    yield TurnStarted(result.response_id or "")
                    yield result
        except TimeoutError:
            yield TurnResult(status=TurnStatus.TIMED_OUT, text="".join(text))

    async def resume_turn(
        self, conversation_id: str, remote_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        """The server kept nothing: run again (the history is only written once answered)."""
        async for event in self.run_turn(conversation_id, turn, stream=stream):
            yield event

    async def add_context(self, conversation_id: str, text: str) -> None:
        await self._history.append(conversation_id, [HistoryMessage("user", text)])

    async def fetch_artifact(self, artifact: Artifact) -> bytes:
        """No hosted code runs here, so no turn ever names a file to fetch."""
        raise BackendError(f"{self.name} has no files of the model's code")

    async def cancel_turn(self, conversation_id: str, remote_id: str) -> None:
        """Nothing to do: closing the HTTP stream is what stops the server generating."""


def _message(message: HistoryMessage) -> ChatCompletionMessageParam:
    if message.role == "assistant":
        return {"role": "assistant", "content": message.content}
    return {"role": "user", "content": message.content}
