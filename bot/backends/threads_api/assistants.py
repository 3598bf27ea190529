"""The legacy Assistants API (assistants, threads, messages, runs), for servers that still speak it.

OpenAI retired it on 2026-08-26; some compatible servers still serve it. A chat is a `thread_…`; a
turn adds the user's message and runs the bot's assistant with the persona as run instructions,
polling the run to its end. A thread accepts no message and no second run while a run is active:
a stale run (left by a crash, say) is cancelled and awaited before we write.

The assistant is created once and its id kept in SQLite (or given as ASSISTANT_ID), so restarts
reuse it instead of leaving a new assistant behind each time. Runs take no prompt cache key; a
long thread is bounded by `max_prompt_tokens` with the API's own truncation (its middle goes).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import openai
from openai import omit
from openai.types.beta.threads import Run

from bot.backends.backend_errors import (
    BackendError,
    BackendMisconfigured,
    BackendRejected,
    ConversationNotFound,
)
from bot.backends.base import (
    Artifact,
    MediaSupport,
    ModelSettings,
    TextDelta,
    TurnEvent,
    TurnInput,
    TurnStarted,
)
from bot.backends.function_rounds import with_function_calls
from bot.backends.openai_calls import (
    describe,
    translated,
    write_once,
)
from bot.backends.threads_api.run_files import RunFiles
from bot.backends.threads_api.run_request import run_options
from bot.backends.threads_api.runs import Runs, uses_hosted_tools
from bot.backends.turn_tools import KnowledgeCopy, KnowledgeFile
from bot.backends.uploads import delete_uploads
from bot.backends.vector_stores import VectorStores
from storage import HistoryMessage, Tool
from storage.repositories import Files, Settings

logger = logging.getLogger(__name__)


class AssistantsBackend:
    name = "assistants"
    # Images are uploaded (purpose "vision") and registered, so /reset deletes them; a PDF
    # would need a vector store per thread, which legacy servers rarely offer.
    media = MediaSupport(images=True, pdf=False)
    # The legacy code interpreter: the user's data as message attachments, the files the code
    # wrote as `image_file` parts and `file_path` annotations, fetched from the Files API.
    tools: frozenset[Tool] = frozenset({"code_interpreter", "file_search"})

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        settings: ModelSettings,
        settings_store: Settings,
        files: Files,
        *,
        assistant_id: str | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._stored_settings = settings_store
        self._uploads = files
        self._configured_assistant = assistant_id
        self._assistant_id = assistant_id or ""
        self._ready = False
        self._can_stream = True  # until the server says it cannot stream runs
        # "original" is Responses-only; the threads API knows low, high and auto.
        self._image_detail = (
            settings.image_detail if settings.image_detail != "original" else "high"
        )
        self._files = RunFiles(client, files, self.name)
        self._runs = Runs(client, settings, self._files)
        self._stores = VectorStores(client, settings_store, self.name)
        self._searching: dict[str, str] = {}  # thread → the vector store its runs search
        # Writes are sent once by `write_once`, which knows which failures are safe to resend.
        self._writer = client.with_options(max_retries=0).beta.threads

    async def start(self) -> None:
        """Find or create the assistant now; if the server is unreachable, on the first turn.

        Touching the SDK's resources first loads their modules before any chat waits (~100 ms
        of blocked event loop otherwise, on the first answers after a start).
        """
        threads = self._client.beta.threads
        _ = (threads.runs, threads.messages, self._client.beta.assistants)
        try:
            await self._ensure_assistant()
        except BackendError as exc:
            logger.error("Could not prepare the assistant yet (%s); will retry on first use", exc)

    async def _ensure_assistant(self) -> None:
        """Use ASSISTANT_ID, else the assistant we created before, else create one."""
        if self._ready:
            return
        if self._configured_assistant:
            await self._retrieve_assistant(self._configured_assistant)
            return
        setting = f"assistant_id:{self._client.base_url}:{self._settings.model}"
        stored = await self._stored_settings.get(setting)
        if stored:
            try:
                await self._retrieve_assistant(stored)
                self._assistant_id = stored
                return
            except BackendMisconfigured:
                logger.warning("Stored assistant %s is gone; creating a new one", stored)
        with translated():
            assistant = await self._client.beta.assistants.create(
                model=self._settings.model, name="Telethread", metadata={"created_by": "telethread"}
            )
        self._assistant_id = assistant.id
        self._ready = True
        await self._stored_settings.set(setting, assistant.id)
        logger.info("Created assistant %s for model %s", assistant.id, self._settings.model)

    async def create_conversation(self, metadata: dict[str, str]) -> str:
        with translated():
            thread = await self._client.beta.threads.create(metadata=metadata)
        return thread.id

    async def sync_knowledge(
        self, name: str, files: tuple[KnowledgeFile, ...]
    ) -> KnowledgeCopy | None:
        return KnowledgeCopy(await self._stores.sync(name, files), tuple(f.path for f in files))

    async def _search_in(self, thread_id: str, turn: TurnInput) -> None:
        """The thread's runs search the persona's store (a thread holds its stores, not the
        run): set when it changes, once per thread and start."""
        store = turn.knowledge if "file_search" in turn.tools else None
        if store is None or self._searching.get(thread_id) == store:
            return
        with translated():
            await self._client.beta.threads.update(
                thread_id, tool_resources={"file_search": {"vector_store_ids": [store]}}
            )
        self._searching[thread_id] = store

    async def delete_conversation(self, conversation_id: str) -> None:
        try:
            with translated():
                await self._client.beta.threads.delete(conversation_id)
        except ConversationNotFound:
            logger.info("Thread %s was already gone", conversation_id)
        await delete_uploads(self._client, self._uploads, self.name, conversation_id)

    async def history(self, conversation_id: str, limit: int) -> list[HistoryMessage]:
        with translated():
            page = await self._client.beta.threads.messages.list(
                conversation_id, limit=limit, order="desc"
            )
        said: list[HistoryMessage] = []
        for message in page.data:
            text = "".join(part.text.value for part in message.content if part.type == "text")
            if text.strip():
                said.append(HistoryMessage(message.role, text))
        return said[::-1]

    def run_turn(
        self, conversation_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        return with_function_calls(
            self._run(conversation_id, turn, stream),
            turn,
            lambda then: self._runs.with_outputs(conversation_id, then),
        )

    async def _run(
        self, conversation_id: str, turn: TurnInput, stream: bool
    ) -> AsyncIterator[TurnEvent]:
        thread_id = conversation_id
        deadline = self._settings.deadline()
        await self._ensure_assistant()
        runs_code = "code_interpreter" in turn.tools
        await self._search_in(thread_id, turn)
        await self._add_message(thread_id, turn, deadline, runs_code)
        options = run_options(self._settings, turn, runs_code)
        if self._can_stream:
            # Polled answers are read from the run's stream too, their text kept back: no
            # retrieve every second while the run works.
            events = await self._start_streamed(thread_id, turn, options, deadline)
            if events is not None:
                async for event in self._runs.streamed(
                    events, thread_id, deadline, uses_hosted_tools(turn), bool(turn.functions)
                ):
                    if stream or not isinstance(event, TextDelta):
                        yield event
                return
        run: Run = await write_once(
            lambda: self._writer.runs.create(
                thread_id,
                assistant_id=self._assistant_id,
                instructions=turn.instructions,
                **options,
            ),
            what=f"Starting a run on {thread_id}",
            deadline=deadline,
            on_busy=lambda: self._runs.clear(thread_id, deadline),
        )
        logger.info("Run %s started on %s", run.id, thread_id)
        yield TurnStarted(run.id)
        yield await self._runs.settled(run, deadline, uses_hosted_tools(turn), bool(turn.functions))

    async def _add_message(
        self, thread_id: str, turn: TurnInput, deadline: float, runs_code: bool
    ) -> None:
        """The user's message, with their data files attached when the code interpreter runs."""
        attachments = await self._files.attachments(thread_id, turn) if runs_code else []
        if attachments:
            names = ", ".join(f.filename for f in turn.container_files)
            turn = replace(turn, text=f"{turn.text}\n\n[Files for your code: {names}]")
        content = await self._files.content(thread_id, turn, self._image_detail)
        await write_once(
            lambda: self._writer.messages.create(
                thread_id,
                role="user",
                content=content,  # type: ignore[arg-type]
                attachments=attachments or omit,  # type: ignore[arg-type]
            ),
            what=f"Adding a message to {thread_id}",
            deadline=deadline,
            on_busy=lambda: self._runs.clear(thread_id, deadline),
        )

    async def _start_streamed(
        self, thread_id: str, turn: TurnInput, options: dict[str, Any], deadline: float
    ) -> Any:
        """The run's event stream, or None once the server has said it cannot stream runs."""
        try:
            return await write_once(
                lambda: self._writer.runs.create(
                    thread_id,
                    assistant_id=self._assistant_id,
                    instructions=turn.instructions,
                    stream=True,
                    **options,
                ),
                what=f"Starting a streamed run on {thread_id}",
                deadline=deadline,
                on_busy=lambda: self._runs.clear(thread_id, deadline),
            )
        except BackendRejected:
            logger.info("The server does not stream runs; polling them instead")
            self._can_stream = False
            return None

    def resume_turn(
        self, conversation_id: str, remote_id: str, turn: TurnInput, *, stream: bool = False
    ) -> AsyncIterator[TurnEvent]:
        return with_function_calls(
            self._resumed(conversation_id, remote_id, turn),
            turn,
            lambda then: self._runs.with_outputs(conversation_id, then),
        )

    async def _resumed(
        self, conversation_id: str, remote_id: str, turn: TurnInput
    ) -> AsyncIterator[TurnEvent]:
        deadline = self._settings.deadline()
        with translated():
            run = await self._client.beta.threads.runs.retrieve(
                remote_id, thread_id=conversation_id
            )
        logger.info("Resuming run %s (%s)", remote_id, run.status)
        yield TurnStarted(remote_id)
        yield await self._runs.settled(run, deadline, uses_hosted_tools(turn), bool(turn.functions))

    async def add_context(self, conversation_id: str, text: str) -> None:
        deadline = self._settings.deadline()
        await write_once(
            lambda: self._writer.messages.create(conversation_id, role="user", content=text),
            what=f"Adding context to {conversation_id}",
            deadline=deadline,
            on_busy=lambda: self._runs.clear(conversation_id, deadline),
        )

    async def fetch_artifact(self, artifact: Artifact) -> bytes:
        return await self._files.fetch(artifact)

    async def cancel_turn(self, conversation_id: str, remote_id: str) -> None:
        try:
            await self._client.beta.threads.runs.cancel(remote_id, thread_id=conversation_id)
        except openai.APIError as exc:
            logger.warning("Cancelling run %s failed: %s", remote_id, describe(exc))

    async def _retrieve_assistant(self, assistant_id: str) -> None:
        try:
            with translated():
                await self._client.beta.assistants.retrieve(assistant_id)
        except ConversationNotFound as exc:  # here "not found" is the owner's to fix
            raise BackendMisconfigured(f"assistant {assistant_id} does not exist") from exc
        self._assistant_id = assistant_id
        self._ready = True
