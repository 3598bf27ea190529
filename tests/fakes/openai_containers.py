"""Fake containers (the code interpreter's sandboxes) with a clock-driven expiry, as OpenAI's:
a container unused for its `expires_after` minutes expires, and a response that names it gets
400 "Container is expired." It can never be revived."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.openai_model import FakeModel, error_body
from tests.fakes.routing import ApiCall, Route


@dataclass
class FakeContainer:
    id: str
    name: str
    memory_limit: str
    idle_minutes: int
    network: str
    last_active_at: float = field(default_factory=time.time)
    files: dict[str, ContainerFile] = field(default_factory=dict)


@dataclass
class ContainerFile:
    id: str
    path: str
    data: bytes = field(repr=False)
    source: str  # "user" (uploaded) or "assistant" (written by the model's code)
    created_at: int = field(default_factory=lambda: int(time.time()))


class ContainersAPI:
    def __init__(self, model: FakeModel) -> None:
        self.model = model
        self.containers: dict[str, FakeContainer] = {}
        self.deleted: list[str] = []
        self.clock_offset = 0.0  # seconds the fake's clock runs ahead (tests advance it)

    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance(self, minutes: float) -> None:
        self.clock_offset += minutes * 60

    def expired(self, container: FakeContainer) -> bool:
        return self.now() - container.last_active_at > container.idle_minutes * 60

    def routes(self) -> list[Route]:
        return [
            Route("POST", r"/containers", self._create),
            Route("GET", r"/containers/(?P<id>[^/]+)", self._get),
            Route("DELETE", r"/containers/(?P<id>[^/]+)", self._delete),
            Route("POST", r"/containers/(?P<id>[^/]+)/files", self._upload),
            Route("GET", r"/containers/(?P<id>[^/]+)/files", self._list_files),
            Route("GET", r"/containers/(?P<id>[^/]+)/files/(?P<file>[^/]+)/content", self._content),
        ]

    def write(self, container: FakeContainer, name: str, data: bytes, source: str) -> ContainerFile:
        file = ContainerFile(self.model.new_id("cfile"), f"/mnt/data/{name}", data, source)
        container.files[file.id] = file
        return file

    def _live(self, container_id: str) -> FakeContainer | web.Response:
        container = self.containers.get(container_id)
        if container is None:
            return web.json_response(error_body("Container not found."), status=404)
        if self.expired(container):
            return web.json_response(error_body("Container is expired."), status=400)
        return container

    async def _upload(self, call: ApiCall) -> web.Response:
        container = self._live(call.ids["id"])
        if isinstance(container, web.Response):
            return container
        upload = call.body.get("file")
        if upload is None or not hasattr(upload, "data"):
            return web.json_response(error_body("A file is required.", param="file"), status=400)
        file = self.write(container, upload.filename, upload.data, "user")
        return web.json_response(_file_json(container, file))

    async def _list_files(self, call: ApiCall) -> web.Response:
        container = self._live(call.ids["id"])
        if isinstance(container, web.Response):
            return container
        files = sorted(container.files.values(), key=lambda f: f.created_at)
        if call.body.get("order", "desc") == "desc":
            files.reverse()
        data = [_file_json(container, f) for f in files[: int(call.body.get("limit", 20))]]
        return web.json_response(
            {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
             "last_id": data[-1]["id"] if data else None, "has_more": False}
        )  # fmt: skip

    async def _content(self, call: ApiCall) -> web.Response:
        container = self._live(call.ids["id"])
        if isinstance(container, web.Response):
            return container
        file = container.files.get(call.ids["file"])
        if file is None:
            return web.json_response(error_body("File not found."), status=404)
        return web.Response(body=file.data, content_type="application/octet-stream")

    def use(self, container_id: str) -> web.Response | FakeContainer:
        """A response's code interpreter names this container: it, or the API's error."""
        container = self.containers.get(container_id)
        if container is None:
            return web.json_response(
                error_body(f"Container {container_id} not found.", param="tools"), status=404
            )
        if self.expired(container):
            return web.json_response(
                error_body("Container is expired.", param="tools", code="container_expired"),
                status=400,
            )
        container.last_active_at = self.now()
        return container

    async def create_auto(self) -> FakeContainer:
        container = FakeContainer(self.model.new_id("cntr"), "auto", "1g", 20, "disabled")
        container.last_active_at = self.now()
        self.containers[container.id] = container
        return container

    async def _create(self, call: ApiCall) -> web.Response:
        body = call.body
        expires = body.get("expires_after") or {"anchor": "last_active_at", "minutes": 20}
        if expires.get("anchor") != "last_active_at":
            return web.json_response(
                error_body("Invalid anchor", param="expires_after"), status=400
            )
        container = FakeContainer(
            self.model.new_id("cntr"),
            str(body.get("name", "")),
            str(body.get("memory_limit") or "1g"),
            int(expires.get("minutes", 20)),
            str((body.get("network_policy") or {}).get("type", "allowlist")),
            last_active_at=self.now(),
        )
        self.containers[container.id] = container
        return web.json_response(self._json(container))

    async def _get(self, call: ApiCall) -> web.Response:
        container = self.containers.get(call.ids["id"])
        if container is None:
            return web.json_response(error_body("Container not found."), status=404)
        return web.json_response(self._json(container))

    async def _delete(self, call: ApiCall) -> web.Response:
        if self.containers.pop(call.ids["id"], None) is None:
            return web.json_response(error_body("Container not found."), status=404)
        self.deleted.append(call.ids["id"])
        return web.json_response(
            {"id": call.ids["id"], "object": "container.deleted", "deleted": True}
        )

    def _json(self, container: FakeContainer) -> dict[str, Any]:
        return {
            "id": container.id,
            "object": "container",
            "created_at": int(container.last_active_at),
            "status": "expired" if self.expired(container) else "running",
            "name": container.name,
            "memory_limit": container.memory_limit,
            "expires_after": {"anchor": "last_active_at", "minutes": container.idle_minutes},
            "last_active_at": int(container.last_active_at),
        }


def _file_json(container: FakeContainer, file: ContainerFile) -> dict[str, Any]:
    return {
        "id": file.id,
        "object": "container.file",
        "bytes": len(file.data),
        "container_id": container.id,
        "created_at": file.created_at,
        "path": file.path,
        "source": file.source,
    }
