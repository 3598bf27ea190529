"""A persona's documents searched by the bot itself, on servers without file search: each
document cut into passages, embedded with the server's `/embeddings`, kept in the database
(only what changed is embedded again) and held in memory; a question is embedded and the
closest passages go before it (passages.py does the cutting and the ranking).
"""

from __future__ import annotations

import asyncio
import logging
from array import array
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

import openai

from bot.backends.chat_api.passages import (
    TEXT_DOCUMENTS,
    Passage,
    closest,
    passages_of,
    unit,
)
from bot.backends.openai_calls import describe
from bot.backends.turn_tools import KnowledgeCopy, KnowledgeFile
from storage.repositories import KnowledgeIndex

logger = logging.getLogger(__name__)

BATCH = 64  # passages embedded per request


class NoEmbeddings(Exception):
    """The server cannot embed text (no /embeddings, or not with this model)."""


class Retrieval:
    def __init__(self, client: openai.AsyncOpenAI, model: str, index: KnowledgeIndex) -> None:
        self._client = client
        self._model = model
        self._index = index
        self._libraries: dict[str, list[Passage]] = {}

    async def sync(self, name: str, files: tuple[KnowledgeFile, ...]) -> KnowledgeCopy | None:
        """Embed what changed in library `name` and hold it in memory; None if the server
        cannot embed (said once in the log: the persona answers without its documents)."""
        readable = {f.path: f for f in files if PurePosixPath(f.path).suffix in TEXT_DOCUMENTS}
        if skipped := [f.path for f in files if f.path not in readable]:
            logger.warning(
                "Knowledge %s: %d documents need file search to be read (%s): skipped here",
                name,
                len(skipped),
                ", ".join(skipped[:5]) + ("…" if len(skipped) > 5 else ""),
            )
        held = await self._index.documents(name)
        changed = [f for f in readable.values() if held.get(f.path) != f.sha256]
        try:
            for document in changed:
                await self._embed_document(name, document)
        except NoEmbeddings as exc:
            logger.warning(
                "Knowledge %s: the model server cannot embed text (%s), so the bot cannot "
                "search documents there: set EMBEDDING_MODEL to an embedding model it serves",
                name,
                exc,
            )
            return None
        for path in held.keys() - readable.keys():
            await self._index.remove(name, path)
        self._libraries[name] = [
            Passage(p.path, p.text, _vector(p.embedding)) for p in await self._index.passages(name)
        ]
        logger.info(
            "Knowledge %s: %d documents, %d passages; %d embedded again, %d removed",
            name,
            len(readable),
            len(self._libraries[name]),
            len(changed),
            len(held.keys() - readable.keys()),
        )
        return KnowledgeCopy(name, tuple(readable))

    async def search(self, name: str, question: str) -> list[Passage]:
        """The passages nearest the question; none if the server could not embed it."""
        passages = self._libraries.get(name)
        if not passages or not question.strip():
            return []
        try:
            [vector] = await self._embed([question])
        except NoEmbeddings as exc:
            logger.warning("Knowledge %s: the question could not be embedded (%s)", name, exc)
            return []
        # A few ms per hundred passages of plain arithmetic: off the event loop.
        return await asyncio.to_thread(closest, vector, passages)

    async def _embed_document(self, name: str, document: KnowledgeFile) -> None:
        data = await asyncio.to_thread(document.location.read_bytes)
        pieces = passages_of(data.decode("utf-8", errors="replace"))
        vectors = await self._embed(pieces) if pieces else []
        await self._index.replace(
            name,
            document.path,
            document.sha256,
            [(text, vector.tobytes()) for text, vector in zip(pieces, vectors, strict=True)],
        )

    async def _embed(self, texts: list[str]) -> list[array[float]]:
        vectors: list[array[float]] = []
        for start in range(0, len(texts), BATCH):
            try:
                reply = await self._client.embeddings.create(
                    model=self._model, input=texts[start : start + BATCH]
                )
            except (openai.APIStatusError, openai.APIConnectionError) as exc:
                # 404/501: no /embeddings (llama.cpp without --embeddings); 400: a chat model
                # that cannot embed (Ollama); down: nothing to search with either.
                raise NoEmbeddings(describe(exc)) from exc
            ordered = sorted(reply.data, key=lambda d: d.index)
            vectors += [unit(pooled(item.embedding)) for item in ordered]
        return vectors


def pooled(embedding: Sequence[Any]) -> list[float]:
    """One vector per text. llama-cpp-python's server answers a generative model's request
    with one vector per token: their mean stands for the text."""
    if embedding and isinstance(embedding[0], list | tuple):
        rows = [[float(v) for v in row] for row in embedding]
        return [sum(column) / len(rows) for column in zip(*rows, strict=False)]
    return [float(v) for v in embedding]


def _vector(blob: bytes) -> array[float]:
    vector = array("f")
    vector.frombytes(blob)
    return vector
