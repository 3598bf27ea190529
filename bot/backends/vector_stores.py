"""A persona's knowledge on the server: a vector store holding its folder's documents, for the
`file_search` tool (the Responses and threads APIs share the store and files endpoints).

Each document is uploaded with its path and content hash as attributes, so the store itself
says what it holds: at start-up only added or changed documents are uploaded, and removed or
replaced ones deleted — an unchanged folder costs one listing, never an upload.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import PurePosixPath

import openai

from bot.backends.backend_errors import (
    BackendError,
    ConversationNotFound,
)
from bot.backends.openai_calls import translated
from bot.backends.turn_tools import KnowledgeFile
from storage.repositories import Settings

logger = logging.getLogger(__name__)

PARALLEL_UPLOADS = 4
PAGE = 100  # the API's largest page of a store's files


class VectorStores:
    def __init__(self, client: openai.AsyncOpenAI, settings: Settings, backend: str) -> None:
        self._client = client
        self._settings = settings
        self._backend = backend

    async def sync(self, name: str, files: tuple[KnowledgeFile, ...]) -> str:
        """The store of knowledge `name`, made to hold exactly `files`; its id."""
        store_id = await self._store(name)
        held = await self._held(store_id)
        wanted = {f.path: f for f in files}
        uploads = [f for f in files if held.get(f.path, ("", ""))[1] != f.sha256]
        stale = [
            file_id
            for path, (file_id, sha256) in held.items()
            if path not in wanted or wanted[path].sha256 != sha256
        ]
        slots = asyncio.Semaphore(PARALLEL_UPLOADS)
        await asyncio.gather(*(self._upload(store_id, f, slots) for f in uploads))
        for file_id in stale:
            await self._remove(store_id, file_id)
        logger.info(
            "Knowledge %s (vector store %s): %d documents; %d uploaded, %d removed",
            name,
            store_id,
            len(files),
            len(uploads),
            len(stale),
        )
        return store_id

    async def _store(self, name: str) -> str:
        """The store kept for `name` on this server, or a new one if it is gone."""
        setting = f"vector_store:{self._backend}:{self._client.base_url}:{name}"
        stored = await self._settings.get(setting)
        if stored:
            try:
                with translated():
                    await self._client.vector_stores.retrieve(stored)
                return stored
            except ConversationNotFound:
                logger.warning(
                    "Vector store %s of knowledge %s is gone; making a new one", stored, name
                )
        with translated():
            store = await self._client.vector_stores.create(
                name=f"Telethread: {name}", metadata={"telethread_knowledge": name}
            )
        await self._settings.set(setting, store.id)
        return store.id

    async def _held(self, store_id: str) -> dict[str, tuple[str, str]]:
        """What the store holds: path → (file id, sha256), from each file's attributes."""
        held: dict[str, tuple[str, str]] = {}
        with translated():
            async for file in self._client.vector_stores.files.list(store_id, limit=PAGE):
                attributes = file.attributes or {}
                path, sha256 = attributes.get("path"), attributes.get("sha256")
                if isinstance(path, str) and isinstance(sha256, str) and path not in held:
                    held[path] = (file.id, sha256)
                else:  # not ours, or a duplicate: removed by the sync
                    held[f"\0{file.id}"] = (file.id, "")
        return held

    async def _upload(
        self, store_id: str, document: KnowledgeFile, slots: asyncio.Semaphore
    ) -> None:
        async with slots:
            data = await asyncio.to_thread(document.location.read_bytes)
            name = PurePosixPath(document.path).name
            with translated():
                uploaded = await self._client.files.create(file=(name, data), purpose="assistants")
                await self._client.vector_stores.files.create(
                    store_id,
                    file_id=uploaded.id,
                    attributes={"path": document.path, "sha256": document.sha256},
                )

    async def _remove(self, store_id: str, file_id: str) -> None:
        try:  # either may be gone already (deleted by hand): then there is nothing to do
            with contextlib.suppress(ConversationNotFound), translated():
                await self._client.vector_stores.files.delete(file_id, vector_store_id=store_id)
            with contextlib.suppress(ConversationNotFound), translated():
                await self._client.files.delete(file_id)
        except BackendError as exc:
            logger.warning("Could not remove document %s from %s: %s", file_id, store_id, exc)
