"""The code interpreter's containers on the Responses backend: one per conversation (network off,
1 GB, expiring after 20 idle minutes), registered so /reset deletes it, replaced when the server
says it expired; the user's data placed in it; the files the code wrote found in it; sessions
counted for the bill.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import openai

from bot.backends.backend_errors import (
    BackendError,
    BackendRejected,
)
from bot.backends.base import (
    Artifact,
    FilePart,
    TurnResult,
)
from bot.backends.openai_calls import translated
from storage.repositories import Files

logger = logging.getLogger(__name__)

EarlierFiles = Callable[[], Awaitable[tuple[FilePart, ...]]] | None
SESSION = 20 * 60.0  # seconds: containers are billed per 20-minute session
IDLE_MINUTES = 20


def container_expired(exc: BackendRejected) -> bool:
    """The request named a container that expired (it can never be revived)."""
    return "container is expired" in str(exc.__cause__).lower()


class CodeSessions:
    """Code-interpreter sessions, billed per 20 minutes: code run in a sandbox less than 20
    minutes after it last ran there is not a new session."""

    def __init__(self) -> None:
        self._used: dict[str, float] = {}  # sandbox → when code last ran in it

    def fresh(self, sandbox: str) -> int:
        """1 if code running in `sandbox` now starts a session, else 0."""
        now = time.monotonic()
        last = self._used.get(sandbox)
        self._used[sandbox] = now
        return 1 if last is None or now - last >= SESSION else 0


class Containers:
    def __init__(self, client: openai.AsyncOpenAI, files: Files | None, backend: str) -> None:
        self._client = client
        self._files = files
        self._backend = backend
        self._sessions_of = CodeSessions()
        self._of: dict[str, str] = {}  # conversation → the container its tools name
        self._replaced: set[str] = set()  # conversations whose container expired this turn
        self._restored: dict[str, tuple[str, ...]] = {}  # … and the files put back in its new one

    async def tool(
        self, conversation_id: str, files: tuple[FilePart, ...], earlier: EarlierFiles = None
    ) -> tuple[dict[str, Any], list[str]]:
        """The code interpreter's definition for this conversation, and the paths of `files`
        placed in its container (for the message to name); a container replacing one that
        expired gets the `earlier` files too, so the user need not send them again."""
        container = await self._container(conversation_id)
        self._of[conversation_id] = container
        if conversation_id in self._replaced and earlier is not None:
            again = await earlier()
            self._restored[conversation_id] = tuple(f.filename for f in again)
            files = (*again, *files)
        paths = []
        for file in files:
            with translated():
                placed = await self._client.containers.files.create(
                    container, file=(file.filename, file.data, file.mime)
                )
            paths.append(placed.path)
            logger.info("Placed %s in container %s", placed.path, container)
        return {"type": "code_interpreter", "container": container}, paths

    async def expired(self, conversation_id: str) -> None:
        """The server said the container expired: forget it, the next request makes a new one
        (files the code wrote there are gone; the conversation goes on)."""
        self._replaced.add(conversation_id)
        if self._files is None:
            return
        for object_id, kind in await self._files.of(self._backend, conversation_id):
            if kind == "container":
                logger.info(
                    "Container %s of %s expired; starting a new one", object_id, conversation_id
                )
                await self._files.deleted(self._backend, object_id)

    async def completed(
        self, conversation_id: str, result: TurnResult, started: float
    ) -> TurnResult:
        """The result with its container sessions counted, a replaced container said and, when
        code ran but cited no file it wrote, the files it wrote found by listing the container."""
        ran_code = result.tools_used is not None and result.tools_used.containers > 0
        result = self._sessions(conversation_id, result)
        if conversation_id in self._replaced:
            self._replaced.discard(conversation_id)
            restored = self._restored.pop(conversation_id, ())
            result = replace(result, container_replaced=True, files_restored=restored)
        container = self._of.get(conversation_id)
        cited = any(a.kind == "container" for a in result.artifacts)
        if not ran_code or cited or container is None:
            return result
        try:
            with translated():
                page = await self._client.containers.files.list(container, order="desc", limit=20)
        except BackendError as exc:
            logger.warning("Could not list the files of container %s: %s", container, exc)
            return result
        written = tuple(
            Artifact(container, f.id, f.path.rsplit("/", 1)[-1])
            for f in reversed(page.data)
            if f.source == "assistant" and f.created_at >= int(started)
        )
        if written:
            logger.info("%d files of %s found by listing (no citation)", len(written), container)
        return replace(result, artifacts=result.artifacts + written)

    async def fetch(self, artifact: Artifact) -> bytes:
        with translated():
            content = await self._client.containers.files.content.retrieve(
                artifact.file_id, container_id=artifact.source
            )
        return content.read()

    def _sessions(self, conversation_id: str, result: TurnResult) -> TurnResult:
        """Code run in the conversation's container less than 20 minutes after it last ran is
        not a new session."""
        used = result.tools_used
        container = self._of.get(conversation_id)
        if used is None or not used.containers or container is None:
            return result
        fresh = self._sessions_of.fresh(container)
        return replace(result, tools_used=replace(used, containers=fresh))

    async def _container(self, conversation_id: str) -> str:
        """The conversation's container, created on first use and registered."""
        if self._files is not None:
            for object_id, kind in await self._files.of(self._backend, conversation_id):
                if kind == "container":
                    return object_id
        with translated():
            container = await self._client.containers.create(
                name=f"telethread {conversation_id}",
                memory_limit="1g",
                expires_after={"anchor": "last_active_at", "minutes": IDLE_MINUTES},
                network_policy={"type": "disabled"},
            )
        if self._files is not None:
            await self._files.added(self._backend, conversation_id, container.id, "container")
        logger.info("Container %s created for %s", container.id, conversation_id)
        return container.id
