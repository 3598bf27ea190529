"""Fake vector stores (`/vector_stores`) and the file search the fake Responses runs on them.

A store holds files of the Files API with their attributes; a search returns the passages
(paragraphs) of its files that contain the query's words, best first — the shape of the
API's `file_search_call.results` and `file_citation` annotations.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.openai_files import FilesAPI
from tests.fakes.openai_model import FakeModel, error_body
from tests.fakes.routing import ApiCall, Route

WORD = re.compile(r"[a-zà-ÿ0-9]{4,}")  # words that say what a passage is about


@dataclass
class FakeStore:
    id: str
    name: str
    metadata: dict[str, str]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # vector store files, by id
    created_at: int = field(default_factory=lambda: int(time.time()))


@dataclass(frozen=True)
class Passage:
    file_id: str
    filename: str
    text: str
    score: float


class VectorStoresAPI:
    def __init__(self, model: FakeModel, files: FilesAPI) -> None:
        self.model = model
        self.files = files
        self.stores: dict[str, FakeStore] = {}
        self.attached: list[tuple[str, str]] = []  # (file id, name), as added to a store

    def routes(self) -> list[Route]:
        store = r"/vector_stores/(?P<store>[^/]+)"
        return [
            Route("POST", r"/vector_stores", self._create),
            Route("GET", store, self._get),
            Route("DELETE", store, self._delete),
            Route("POST", store + "/files", self._add_file),
            Route("GET", store + "/files", self._list_files),
            Route("DELETE", store + r"/files/(?P<file>[^/]+)", self._remove_file),
        ]

    def search(self, store_ids: list[str], query: str, most: int = 3) -> list[Passage]:
        """The passages containing the query's words, the most words first."""
        wanted = set(WORD.findall(query.lower()))
        found: list[Passage] = []
        for store_id in store_ids:
            store = self.stores.get(store_id)
            for file_id in store.files if store else ():
                name = str(self.files.files.get(file_id, {}).get("filename", file_id))
                text = self.files.contents.get(file_id, b"").decode("utf-8", "replace")
                for passage in re.split(r"\n\s*\n", text):
                    hits = wanted & set(WORD.findall(passage.lower()))
                    if hits:
                        found.append(
                            Passage(file_id, name, passage.strip(), len(hits) / len(wanted))
                        )
        return sorted(found, key=lambda p: -p.score)[:most]

    def _json(self, store: FakeStore) -> dict[str, Any]:
        return {
            "id": store.id,
            "object": "vector_store",
            "created_at": store.created_at,
            "name": store.name,
            "usage_bytes": sum(len(self.files.contents.get(f, b"")) for f in store.files),
            "file_counts": {"in_progress": 0, "completed": len(store.files), "failed": 0,
                            "cancelled": 0, "total": len(store.files)},
            "status": "completed",
            "expires_after": None,
            "expires_at": None,
            "last_active_at": store.created_at,
            "metadata": store.metadata,
        }  # fmt: skip

    async def _create(self, call: ApiCall) -> web.Response:
        store = FakeStore(
            self.model.new_id("vs"),
            str(call.body.get("name") or ""),
            call.body.get("metadata") or {},
        )
        self.stores[store.id] = store
        return web.json_response(self._json(store))

    async def _get(self, call: ApiCall) -> web.Response:
        store = self.stores.get(call.ids["store"])
        return web.json_response(self._json(store)) if store else _no_store(call.ids["store"])

    async def _delete(self, call: ApiCall) -> web.Response:
        if self.stores.pop(call.ids["store"], None) is None:
            return _no_store(call.ids["store"])
        return web.json_response(
            {"id": call.ids["store"], "object": "vector_store.deleted", "deleted": True}
        )

    async def _add_file(self, call: ApiCall) -> web.Response:
        store = self.stores.get(call.ids["store"])
        if store is None:
            return _no_store(call.ids["store"])
        file_id = str(call.body.get("file_id"))
        if file_id not in self.files.files:
            return web.json_response(
                error_body(f"No file found with id '{file_id}'.", param="file_id"), status=404
            )
        record = {
            "id": file_id,
            "object": "vector_store.file",
            "usage_bytes": len(self.files.contents.get(file_id, b"")),
            "created_at": int(time.time()),
            "vector_store_id": store.id,
            "status": "completed",
            "last_error": None,
            "chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 800,
                                                               "chunk_overlap_tokens": 400}},
            "attributes": call.body.get("attributes"),
        }  # fmt: skip
        store.files[file_id] = record
        self.attached.append((file_id, str(self.files.files[file_id].get("filename"))))
        return web.json_response(record)

    async def _list_files(self, call: ApiCall) -> web.Response:
        store = self.stores.get(call.ids["store"])
        if store is None:
            return _no_store(call.ids["store"])
        records = list(store.files.values())
        limit = int(call.body.get("limit") or 20)
        after = call.body.get("after")
        start = next((i + 1 for i, r in enumerate(records) if r["id"] == after), 0)
        page = records[start : start + limit]
        return web.json_response(
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": start + limit < len(records),
            }
        )

    async def _remove_file(self, call: ApiCall) -> web.Response:
        store = self.stores.get(call.ids["store"])
        if store is None:
            return _no_store(call.ids["store"])
        if store.files.pop(call.ids["file"], None) is None:
            return web.json_response(
                error_body(f"No file found with id '{call.ids['file']}'."), status=404
            )
        return web.json_response(
            {"id": call.ids["file"], "object": "vector_store.file.deleted", "deleted": True}
        )


def _no_store(store_id: str) -> web.Response:
    return web.json_response(
        error_body(f"No vector store found with id '{store_id}'.", code=None), status=404
    )
