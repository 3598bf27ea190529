"""A fake OpenAI API on 127.0.0.1: Conversations + Responses, legacy threads/runs, Chat Completions.

JSON shapes follow OpenAI's OpenAPI spec (../shared/specs); errors use the real envelope
`{"error": {"message", "type", "param", "code"}}` and the real status codes. One fake model
(tests.fakes.openai_model) answers for all three APIs and records every turn, so tests can
check behaviour without caring which backend the bot uses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fakes.loopback import LoopbackServer
from tests.fakes.openai_assistants import AssistantsAPI
from tests.fakes.openai_chat import ChatAPI
from tests.fakes.openai_containers import ContainersAPI
from tests.fakes.openai_files import FilesAPI, Upload
from tests.fakes.openai_model import FakeModel, Reply, Turn, error_body
from tests.fakes.openai_responses import FakeResponse, ResponsesAPI
from tests.fakes.routing import ApiCall, Route

__all__ = ["FakeOpenAI", "Reply", "Turn", "error_body"]

# The models the tests name: the bot's (OPENAI_MODEL in the tests' environment), the defaults of
# transcription and drawing, and a priced chat model.
MODEL_NAMES = ("gpt-test", "gpt-6-luna", "gpt-transcribe", "gpt-image-2.6-sunburst")


@dataclass
class HttpFault:
    method: str
    path_prefix: str
    status: int
    body: dict[str, Any]
    count: int = 1
    headers: dict[str, str] = field(default_factory=dict)


class FakeOpenAI:
    def __init__(self, api_key: str = "sk-test-openai-key-secret") -> None:
        self.api_key = api_key
        self.model = FakeModel()
        self.files_api = FilesAPI(self.model)
        self.containers_api = ContainersAPI(self.model)
        self.responses_api = ResponsesAPI(self.model, self.files_api, self.containers_api)
        self.assistants_api = AssistantsAPI(self.model, self.files_api, self.responses_api.stores)
        self.chat_api = ChatAPI(self.model)
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.faults: list[HttpFault] = []
        # What GET /models lists (the start-up check looks for the bot's model there).
        self.model_names: list[str] = list(MODEL_NAMES)
        self._routes: list[Route] = [
            Route("GET", r"/models", self._list_models),
            *self.responses_api.routes(),
            *self.assistants_api.routes(),
            *self.chat_api.routes(),
            *self.files_api.routes(),
            *self.containers_api.routes(),
            *self.responses_api.stores.routes(),
        ]
        self._server = LoopbackServer()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/v1"

    async def start(self) -> None:
        await self._server.serve("/v1/{path:.*}", self._handle)

    async def stop(self) -> None:
        self.model.release_all()
        await self.responses_api.stop()
        await self.assistants_api.stop()
        await self._server.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        received_at = time.monotonic()
        path = "/" + request.match_info["path"]
        body: dict[str, Any] = dict(request.query)
        if request.content_type == "multipart/form-data":
            body = await _multipart(request)
        elif request.can_read_body:
            body = await request.json()
        self.requests.append((request.method, path, body))
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return web.json_response(
                error_body(
                    "Incorrect API key provided. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    code="invalid_api_key",
                ),
                status=401,
            )
        for fault in self.faults:
            if fault.method == request.method and path.startswith(fault.path_prefix):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return web.json_response(fault.body, status=fault.status, headers=fault.headers)
        for route in self._routes:
            ids = route.match(request.method, path)
            if ids is not None:
                return await route.handler(ApiCall(request, ids, body, received_at))
        return web.json_response(error_body(f"Invalid URL ({request.method} {path})"), status=404)

    async def _list_models(self, call: ApiCall) -> web.StreamResponse:
        """`GET /models`, shaped as the spec's ListModelsResponse."""
        data = [
            {"id": name, "object": "model", "created": 1_700_000_000, "owned_by": "system"}
            for name in self.model_names
        ]
        return web.json_response({"object": "list", "data": data})

    # -- what tests use -----------------------------------------------------------------------

    @property
    def replies(self) -> Any:
        """Queue `Reply`s here to script the next turns (FIFO)."""
        return self.model.replies

    @property
    def turns(self) -> list[Turn]:
        return self.model.turns

    def fail(
        self,
        method: str,
        path_prefix: str,
        status: int,
        body: dict[str, Any],
        *,
        count: int = 1,
        **headers: str,
    ) -> None:
        self.faults.append(HttpFault(method, path_prefix, status, body, count, headers))

    def requests_to(self, method: str, path_prefix: str) -> list[dict[str, Any]]:
        return [body for m, p, body in self.requests if m == method and p.startswith(path_prefix)]

    @property
    def transcriptions(self) -> Any:
        return self.files_api.transcriptions

    @property
    def uploaded_files(self) -> dict[str, dict[str, Any]]:
        """Files uploaded and not deleted (the Files API's inventory)."""
        return self.files_api.files

    @property
    def remote_conversations(self) -> set[str]:
        """Live server-side conversations and threads (Chat Completions keeps none)."""
        return set(self.responses_api.conversations) | set(self.assistants_api.threads)

    @property
    def deleted(self) -> list[str]:
        return self.responses_api.deleted + self.assistants_api.deleted

    @property
    def one_at_a_time_rejections(self) -> int:
        """400s for a second response/run on a busy conversation or thread."""
        return self.responses_api.locked_rejections + self.assistants_api.active_run_rejections

    def forget_all_conversations(self) -> None:
        """Simulate conversations deleted elsewhere (e.g. in the dashboard, or expired)."""
        self.responses_api.conversations.clear()
        self.assistants_api.threads.clear()

    # Responses-specific views, for the tests of that backend.

    @property
    def conversations(self) -> dict[str, Any]:
        return self.responses_api.conversations

    def created_responses(self) -> list[FakeResponse]:
        return list(self.responses_api.responses.values())


async def _multipart(request: web.Request) -> dict[str, Any]:
    """A multipart body's fields: text as str, files as `Upload`s."""
    fields: dict[str, Any] = {}
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue  # a nested multipart: no API here sends one
        data = bytes(await part.read())
        if part.filename is not None:
            fields[part.name] = Upload(
                part.filename,
                part.headers.get("Content-Type", "application/octet-stream"),
                data,
            )
        else:
            fields[part.name] = data.decode()
    return fields
