"""A fake OpenAI API on 127.0.0.1: Conversations and Responses (background mode), as the real one.

JSON shapes follow OpenAI's OpenAPI spec (../shared/specs); errors use the real envelope
`{"error": {"message", "type", "param", "code"}}`. One response at a time per conversation
(`conversation_locked` otherwise), items appended when a response completes. The "model" is a
script: by default it answers from the input deterministically, tests can queue `Reply`s with any
text, delay or outcome, hold a reply until released, or inject HTTP faults.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import LoopbackServer


@dataclass
class Reply:
    """What the fake model does for one response."""

    text: str | None = None  # None: derive from the input (see FakeOpenAI.answer_for)
    delay: float = 0.0
    status: str = "completed"  # completed | incomplete | failed
    incomplete_reason: str = "max_output_tokens"
    error_code: str = "server_error"
    hold: asyncio.Event | None = None  # completes only once set


@dataclass
class FakeResponse:
    id: str
    conversation_id: str | None
    request: dict[str, Any]
    reply: Reply
    text: str
    status: str = "queued"
    created_at: int = field(default_factory=lambda: int(time.time()))
    completed_at: int | None = None
    task: asyncio.Task[None] | None = None


@dataclass
class FakeConversation:
    id: str
    metadata: dict[str, str]
    items: list[dict[str, Any]] = field(default_factory=list)
    created_at: int = field(default_factory=lambda: int(time.time()))
    active_response: str | None = None


@dataclass
class HttpFault:
    method: str
    path_prefix: str
    status: int
    body: dict[str, Any]
    count: int = 1
    headers: dict[str, str] = field(default_factory=dict)


def error_body(
    message: str,
    *,
    type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


class FakeOpenAI:
    def __init__(self, api_key: str = "sk-test-openai-key-secret") -> None:
        self.api_key = api_key
        self.conversations: dict[str, FakeConversation] = {}
        self.deleted_conversations: list[str] = []
        self.responses: dict[str, FakeResponse] = {}
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.replies: deque[Reply] = deque()
        self.faults: list[HttpFault] = []
        self.locked_rejections = 0
        self.answer_for: Callable[[str, str], str] = lambda text, instructions: (
            f"Answer #{len(self.responses)} to: {text}"
        )
        self._ids = itertools.count(1)
        self._server = LoopbackServer()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def port(self) -> int:
        return self._server.port

    async def start(self) -> None:
        await self._server.serve("/v1/{path:.*}", self._handle)

    async def stop(self) -> None:
        for response in self.responses.values():
            if response.task is not None:
                response.task.cancel()
        await self._server.close()

    # -- routing ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body: dict[str, Any] = {}
        if request.can_read_body:
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
        parts = path.strip("/").split("/")
        route = (request.method, parts[0], len(parts))
        handler = {
            ("POST", "conversations", 1): self._create_conversation,
            ("GET", "conversations", 2): self._get_conversation,
            ("DELETE", "conversations", 2): self._delete_conversation,
            ("GET", "conversations", 3): self._list_items,
            ("POST", "responses", 1): self._create_response,
            ("GET", "responses", 2): self._get_response,
            ("POST", "responses", 3): self._cancel_response,
        }.get(route)
        if handler is None:
            return web.json_response(
                error_body(f"Invalid URL ({request.method} {path})"), status=404
            )
        return await handler(parts, body)

    # -- conversations ------------------------------------------------------------------------

    async def _create_conversation(self, parts: list[str], body: dict[str, Any]) -> web.Response:
        conversation = FakeConversation(
            id=f"conv_{next(self._ids):032x}", metadata=body.get("metadata") or {}
        )
        self.conversations[conversation.id] = conversation
        return web.json_response(self._conversation_json(conversation))

    async def _get_conversation(self, parts: list[str], body: dict[str, Any]) -> web.Response:
        conversation = self.conversations.get(parts[1])
        if conversation is None:
            return _conversation_not_found(parts[1])
        return web.json_response(self._conversation_json(conversation))

    async def _delete_conversation(self, parts: list[str], body: dict[str, Any]) -> web.Response:
        conversation = self.conversations.pop(parts[1], None)
        if conversation is None:
            return _conversation_not_found(parts[1])
        self.deleted_conversations.append(conversation.id)
        return web.json_response(
            {"id": conversation.id, "object": "conversation.deleted", "deleted": True}
        )

    async def _list_items(self, parts: list[str], body: dict[str, Any]) -> web.Response:
        conversation = self.conversations.get(parts[1])
        if conversation is None:
            return _conversation_not_found(parts[1])
        items = conversation.items
        return web.json_response(
            {
                "object": "list",
                "data": items,
                "first_id": items[0]["id"] if items else None,
                "last_id": items[-1]["id"] if items else None,
                "has_more": False,
            }
        )

    def _conversation_json(self, conversation: FakeConversation) -> dict[str, Any]:
        return {
            "id": conversation.id,
            "object": "conversation",
            "created_at": conversation.created_at,
            "metadata": conversation.metadata,
        }

    # -- responses ----------------------------------------------------------------------------

    async def _create_response(self, parts: list[str], body: dict[str, Any]) -> web.Response:
        conversation_ref = body.get("conversation")
        conversation_id = (
            conversation_ref.get("id") if isinstance(conversation_ref, dict) else conversation_ref
        )
        conversation = None
        if conversation_id is not None:
            conversation = self.conversations.get(conversation_id)
            if conversation is None:
                return _conversation_not_found(conversation_id)
            if conversation.active_response is not None:
                self.locked_rejections += 1
                return web.json_response(
                    error_body(
                        "Another process is currently operating on this conversation. "
                        "Please retry in a few seconds.",
                        param="conversation",
                        code="conversation_locked",
                    ),
                    status=400,
                )
        reply = self.replies.popleft() if self.replies else Reply()
        text = (
            reply.text
            if reply.text is not None
            else self.answer_for(input_text(body.get("input")), body.get("instructions") or "")
        )
        response = FakeResponse(
            id=f"resp_{next(self._ids):032x}",
            conversation_id=conversation_id,
            request=body,
            reply=reply,
            text=text,
        )
        self.responses[response.id] = response
        if conversation is not None:
            conversation.active_response = response.id
        response.task = asyncio.get_running_loop().create_task(self._generate(response))
        if not body.get("background"):
            await asyncio.shield(response.task)
        return web.json_response(self._response_json(response))

    async def _generate(self, response: FakeResponse) -> None:
        response.status = "in_progress"
        if response.reply.hold is not None:
            await response.reply.hold.wait()
        if response.reply.delay:
            await asyncio.sleep(response.reply.delay)
        self._finish(response, response.reply.status)

    def _finish(self, response: FakeResponse, status: str) -> None:
        if response.status not in ("queued", "in_progress"):
            return
        response.status = status
        response.completed_at = int(time.time())
        conversation = self.conversations.get(response.conversation_id or "")
        if conversation is None:
            return
        conversation.active_response = None
        if status in ("completed", "incomplete"):
            conversation.items.append(
                {
                    "type": "message",
                    "id": f"msg_{next(self._ids):032x}",
                    "status": "completed",
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": input_text(response.request.get("input"))}
                    ],
                }
            )
            conversation.items.extend(self._output(response))

    async def _get_response(self, parts: list[str], body: dict[str, Any]) -> web.Response:
        response = self.responses.get(parts[1])
        if response is None:
            return _response_not_found(parts[1])
        return web.json_response(self._response_json(response))

    async def _cancel_response(self, parts: list[str], body: dict[str, Any]) -> web.Response:
        response = self.responses.get(parts[1])
        if response is None:
            return _response_not_found(parts[1])
        if not response.request.get("background"):
            return web.json_response(
                error_body("Only responses created with background=true can be cancelled."),
                status=400,
            )
        if response.task is not None:
            response.task.cancel()
        self._finish(response, "cancelled")
        return web.json_response(self._response_json(response))

    def _output(self, response: FakeResponse) -> list[dict[str, Any]]:
        if response.status in ("queued", "in_progress", "failed", "cancelled"):
            return []
        return [
            {
                "type": "message",
                "id": f"msg_{response.id[5:]}",
                "status": "completed" if response.status == "completed" else "incomplete",
                "role": "assistant",
                "content": [
                    {
                        "type": "output_text",
                        "text": response.text,
                        "annotations": [],
                        "logprobs": [],
                    }
                ],
            }
        ]

    def _response_json(self, response: FakeResponse) -> dict[str, Any]:
        body = response.request
        done = response.status in ("completed", "incomplete")
        return {
            "id": response.id,
            "object": "response",
            "created_at": response.created_at,
            "status": response.status,
            "background": bool(body.get("background")),
            "completed_at": response.completed_at if response.status == "completed" else None,
            "conversation": {"id": response.conversation_id} if response.conversation_id else None,
            "error": (
                {"code": response.reply.error_code, "message": "The model failed to answer."}
                if response.status == "failed"
                else None
            ),
            "incomplete_details": (
                {"reason": response.reply.incomplete_reason}
                if response.status == "incomplete"
                else None
            ),
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "metadata": body.get("metadata") or {},
            "model": body.get("model"),
            "output": self._output(response),
            "parallel_tool_calls": True,
            "previous_response_id": None,
            "reasoning": {"effort": (body.get("reasoning") or {}).get("effort"), "summary": None},
            "store": body.get("store", True),
            "temperature": 1.0,
            "text": {"format": {"type": "text"}},
            "tool_choice": "auto",
            "tools": [],
            "top_p": 1.0,
            "truncation": body.get("truncation", "disabled"),
            "usage": (
                {
                    "input_tokens": 10 + len(input_text(body.get("input"))) // 4,
                    "input_tokens_details": {"cached_tokens": 0},
                    "output_tokens": 1 + len(response.text) // 4,
                    "output_tokens_details": {"reasoning_tokens": 0},
                    "total_tokens": 11
                    + (len(input_text(body.get("input"))) + len(response.text)) // 4,
                }
                if done
                else None
            ),
            "user": None,
        }

    # -- what tests use -----------------------------------------------------------------------

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

    def created_responses(self, conversation_id: str | None = None) -> list[FakeResponse]:
        return [
            r
            for r in self.responses.values()
            if conversation_id is None or r.conversation_id == conversation_id
        ]

    def requests_to(self, method: str, path_prefix: str) -> list[dict[str, Any]]:
        return [body for m, p, body in self.requests if m == method and p.startswith(path_prefix)]


def input_text(value: Any) -> str:
    """The text of a Responses `input`: a string, or message items with input_text parts."""
    if isinstance(value, str):
        return value
    texts: list[str] = []
    for item in value or []:
        content = item.get("content")
        if isinstance(content, str):
            texts.append(content)
        else:
            texts.extend(
                part.get("text", "") for part in content or [] if part.get("type") == "input_text"
            )
    return "\n".join(texts)


def _conversation_not_found(conversation_id: str) -> web.Response:
    return web.json_response(
        error_body(f"Conversation with id '{conversation_id}' not found.", param="conversation"),
        status=404,
    )


def _response_not_found(response_id: str) -> web.Response:
    return web.json_response(
        error_body(f"Response with id '{response_id}' not found.", param="response_id"), status=404
    )
