"""The legacy code interpreter's files on the threads/runs backend: the user's data as message
attachments, the files the code wrote found in the run's messages (`image_file` parts,
`file_path` annotations) and fetched from the Files API, registered so /reset deletes them, and
the code sessions a run's steps show."""

from __future__ import annotations

import logging
from typing import Any

import openai
from openai.types.beta.threads import Run

from bot.backends.backend_errors import (
    BackendError,
)
from bot.backends.base import (
    Artifact,
    TurnInput,
)
from bot.backends.openai_calls import translated
from bot.backends.responses_api.containers import CodeSessions
from bot.backends.responses_api.response_data import plain_sandbox_links
from bot.backends.uploads import upload
from storage import ToolCounts
from storage.repositories import Files

logger = logging.getLogger(__name__)


class RunFiles:
    def __init__(self, client: openai.AsyncOpenAI, files: Files, backend: str) -> None:
        self._client = client
        self._files = files
        self._backend = backend
        self._sessions = CodeSessions()

    async def fetch(self, artifact: Artifact) -> bytes:
        """A file the code wrote, from the Files API (deleted with the thread)."""
        with translated():
            content = await self._client.files.content(artifact.file_id)
        return content.read()

    async def attachments(self, thread_id: str, turn: TurnInput) -> list[dict[str, Any]]:
        """The user's data files, uploaded for the code interpreter (and registered, so /reset
        deletes them)."""
        found = []
        for file in turn.container_files:
            file_id = await upload(
                self._client, self._files, self._backend, thread_id,
                (file.filename, file.data, file.mime), "assistants",
            )  # fmt: skip
            found.append({"file_id": file_id, "tools": [{"type": "code_interpreter"}]})
        return found

    async def content(
        self, thread_id: str, turn: TurnInput, detail: str
    ) -> str | list[dict[str, Any]]:
        """The message's content: its text, and each image uploaded as a vision file."""
        if not turn.images:
            return turn.text
        content: list[dict[str, Any]] = [{"type": "text", "text": turn.text}]
        for n, image in enumerate(turn.images, start=1):
            name = f"image{n}.{image.mime.rpartition('/')[2]}"
            file_id = await upload(
                self._client, self._files, self._backend, thread_id, (name, image.data, image.mime),
                "vision",
            )  # fmt: skip
            content.append(
                {
                    "type": "image_file",
                    "image_file": {"file_id": file_id, "detail": detail},
                }
            )
        return content

    async def output(self, run: Run) -> tuple[str, tuple[Artifact, ...], tuple[str, ...]]:
        """The text of the assistant messages this run wrote, in order (sandbox links made
        plain, file search's 【…†source】 markers taken out), the files its code wrote
        (`image_file` parts and `file_path` annotations, registered so /reset deletes them),
        and the ids of the documents it cites."""
        texts: list[str] = []
        files: dict[str, Artifact] = {}
        cited: dict[str, None] = {}
        with translated():
            async for message in self._client.beta.threads.messages.list(
                run.thread_id, run_id=run.id, order="asc", limit=100
            ):
                if message.role != "assistant":
                    continue
                for part in message.content:
                    if part.type == "image_file":
                        file_id = part.image_file.file_id
                        files[file_id] = Artifact(
                            run.thread_id, file_id, f"image-{len(files) + 1}.png", kind="file"
                        )
                    elif part.type == "text":
                        value = part.text.value
                        for note in part.text.annotations:
                            if note.type == "file_citation":
                                value = value.replace(note.text, "")
                                cited[note.file_citation.file_id] = None
                        texts.append(value)
                        for note in part.text.annotations:
                            if note.type == "file_path":
                                name = note.text.rsplit("/", 1)[-1] or note.file_path.file_id
                                files[note.file_path.file_id] = Artifact(
                                    run.thread_id, note.file_path.file_id, name, kind="file"
                                )
        for artifact in files.values():
            await self._files.added(self._backend, run.thread_id, artifact.file_id, "file")
        text = plain_sandbox_links("\n\n".join(texts))
        return text, tuple(files.values()), tuple(cited)

    async def names(self, file_ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """The cited documents as an answer's sources: (file name, "") each."""
        found = []
        for file_id in file_ids:
            try:
                with translated():
                    file = await self._client.files.retrieve(file_id)
                found.append((file.filename, ""))
            except BackendError as exc:
                logger.warning("Could not name cited document %s: %s", file_id, exc)
        return tuple(found)

    async def tool_counts(self, run: Run) -> ToolCounts | None:
        """Whether code ran (a code-interpreter step: a billed session of the thread's), and
        how many searches of the persona's documents the run made."""
        try:
            with translated():
                steps = await self._client.beta.threads.runs.steps.list(
                    run.id, thread_id=run.thread_id, limit=20
                )
        except BackendError as exc:
            logger.warning("Could not read the steps of run %s: %s", run.id, exc)
            return None
        calls = [
            call.type
            for step in steps.data
            if step.step_details.type == "tool_calls"
            for call in step.step_details.tool_calls
        ]
        if "code_interpreter" not in calls and "file_search" not in calls:
            return None
        containers = self._sessions.fresh(run.thread_id) if "code_interpreter" in calls else 0
        return ToolCounts(containers=containers, file_searches=calls.count("file_search"))
