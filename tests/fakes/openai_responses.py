"""Fake Conversations + Responses API (background mode and polling), shapes per OpenAI's spec."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.billing import Billed, Segment, segment, text_tokens
from tests.fakes.openai_containers import ContainersAPI, FakeContainer
from tests.fakes.openai_files import FilesAPI
from tests.fakes.openai_media import InvalidMedia, responses_media
from tests.fakes.openai_model import (
    IMAGE_TOKENS,
    SNAPSHOT,
    FakeModel,
    Turn,
    calls_made,
    error_body,
    input_text,
    media_tokens,
    summarise,
)
from tests.fakes.openai_vector_stores import Passage, VectorStoresAPI
from tests.fakes.routing import ApiCall, Route
from tests.fakes.sse import EventLog, stream_events
from tests.media_samples import png

PENDING = ("queued", "in_progress")
DEFAULT_COMPACT_THRESHOLD = 200_000  # the fake's, when a compaction entry names none
# Image models OpenAI has shut down: a request naming one is refused.
RETIRED = frozenset({"gpt-image-1", "gpt-image-1.5", "gpt-image-1-mini", "chatgpt-image-latest"})


@dataclass
class FakeConversation:
    id: str
    metadata: dict[str, str]
    items: list[dict[str, Any]] = field(default_factory=list)
    created_at: int = field(default_factory=lambda: int(time.time()))
    active_response: str | None = None


@dataclass
class FakeResponse:
    id: str
    conversation_id: str | None
    request: dict[str, Any]
    turn: Turn
    status: str = "queued"
    created_at: int = field(default_factory=lambda: int(time.time()))
    completed_at: int | None = None
    task: asyncio.Task[None] | None = None
    events: EventLog = field(default_factory=EventLog)
    sequence: itertools.count[int] = field(default_factory=itertools.count)
    container_id: str | None = None  # the code interpreter's, when the request gave it
    drawn: list[bytes] = field(default_factory=list)  # the images it made
    written: list[tuple[str, str]] = field(default_factory=list)  # (file id, name) the code wrote
    compaction: dict[str, Any] | None = None  # the item, when the context was compacted first
    found: list[Passage] = field(default_factory=list)  # what its file search found

    @property
    def text(self) -> str:
        return self.turn.text

    def tool(self, kind: str) -> dict[str, Any] | None:
        return response_tool(self.request, kind)


def response_tool(request: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((t for t in request.get("tools") or [] if t.get("type") == kind), None)


class ResponsesAPI:
    def __init__(
        self,
        model: FakeModel,
        files: FilesAPI | None = None,
        containers: ContainersAPI | None = None,
        stores: VectorStoresAPI | None = None,
    ) -> None:
        self.model = model
        self.files = files or FilesAPI(model)
        self.containers = containers or ContainersAPI(model)
        self.stores = stores or VectorStoresAPI(model, self.files)
        self.conversations: dict[str, FakeConversation] = {}
        self.deleted: list[str] = []
        self.responses: dict[str, FakeResponse] = {}
        self.locked_rejections = 0
        self.drop_next_stream_after: int | None = None  # events sent before cutting the stream
        self.resumed_streams: list[int] = []  # `starting_after` of each resumed stream
        self.deleted_responses: list[str] = []
        self.compactions: dict[str, str] = {}  # compaction item id -> what it summarises
        self.streaming_supported = True  # False: a compatible server that only polls

    def routes(self) -> list[Route]:
        return [
            Route("POST", r"/conversations", self._create_conversation),
            Route("GET", r"/conversations/(?P<id>[^/]+)", self._get_conversation),
            Route("DELETE", r"/conversations/(?P<id>[^/]+)", self._delete_conversation),
            Route("GET", r"/conversations/(?P<id>[^/]+)/items", self._list_items),
            Route("POST", r"/conversations/(?P<id>[^/]+)/items", self._add_items),
            Route("POST", r"/responses", self._create_response),
            Route("GET", r"/responses/(?P<id>[^/]+)", self._get_response),
            Route("POST", r"/responses/(?P<id>[^/]+)/cancel", self._cancel_response),
            Route("DELETE", r"/responses/(?P<id>[^/]+)", self._delete_response),
        ]

    async def stop(self) -> None:
        for response in self.responses.values():
            if response.task is not None:
                response.task.cancel()
            await response.events.close()  # ends any stream still being served

    # -- conversations ------------------------------------------------------------------------

    async def _create_conversation(self, call: ApiCall) -> web.Response:
        conversation = FakeConversation(self.model.new_id("conv"), call.body.get("metadata") or {})
        self.conversations[conversation.id] = conversation
        return web.json_response(_conversation_json(conversation))

    async def _get_conversation(self, call: ApiCall) -> web.Response:
        conversation = self.conversations.get(call.ids["id"])
        if conversation is None:
            return _conversation_not_found(call.ids["id"])
        return web.json_response(_conversation_json(conversation))

    async def _delete_conversation(self, call: ApiCall) -> web.Response:
        conversation = self.conversations.pop(call.ids["id"], None)
        if conversation is None:
            return _conversation_not_found(call.ids["id"])
        self.deleted.append(conversation.id)
        return web.json_response(
            {"id": conversation.id, "object": "conversation.deleted", "deleted": True}
        )

    async def _list_items(self, call: ApiCall) -> web.Response:
        conversation = self.conversations.get(call.ids["id"])
        if conversation is None:
            return _conversation_not_found(call.ids["id"])
        items = list(conversation.items)  # as the API: newest first unless asked, 20 a page
        if call.body.get("order", "desc") == "desc":
            items.reverse()
        limit = int(call.body.get("limit", 20))
        has_more = len(items) > limit
        items = items[:limit]
        return web.json_response(
            {
                "object": "list",
                "data": items,
                "first_id": items[0]["id"] if items else None,
                "last_id": items[-1]["id"] if items else None,
                "has_more": has_more,
            }
        )

    async def _add_items(self, call: ApiCall) -> web.Response:
        conversation = self.conversations.get(call.ids["id"])
        if conversation is None:
            return _conversation_not_found(call.ids["id"])
        if conversation.active_response is not None:
            self.locked_rejections += 1
            return _locked()
        added = [
            {"id": self.model.new_id("msg"), "status": "completed", **item}
            for item in call.body.get("items", [])
        ]
        for item in added:
            if isinstance(item.get("content"), str):
                item["content"] = [{"type": "input_text", "text": item["content"]}]
        conversation.items.extend(added)
        return web.json_response(
            {"object": "list", "data": added, "first_id": added[0]["id"] if added else None,
             "last_id": added[-1]["id"] if added else None, "has_more": False}
        )  # fmt: skip

    # -- responses ----------------------------------------------------------------------------

    async def _create_response(self, call: ApiCall) -> web.StreamResponse:
        if call.body.get("stream") and not self.streaming_supported:
            return web.json_response(
                error_body("Streaming is not supported by this server.", param="stream"),
                status=400,
            )
        reference = call.body.get("conversation")
        conversation_id = reference.get("id") if isinstance(reference, dict) else reference
        conversation = None
        if conversation_id is not None:
            conversation = self.conversations.get(conversation_id)
            if conversation is None:
                return _conversation_not_found(conversation_id)
            if conversation.active_response is not None:
                self.locked_rejections += 1
                return _locked()
        container_id = None
        for tool in call.body.get("tools") or []:
            stores = tool.get("vector_store_ids") or [] if tool.get("type") == "file_search" else []
            if missing := [i for i in stores if i not in self.stores.stores]:
                return web.json_response(
                    error_body(f"Vector store with id '{missing[0]}' not found.", param="tools"),
                    status=400,
                )
            if tool.get("type") == "function" and not _valid_function(tool):
                return web.json_response(
                    error_body("Missing required parameter: 'tools[0].strict'.", param="tools"),
                    status=400,
                )
            if tool.get("type") not in (
                "code_interpreter",
                "web_search",
                "image_generation",
                "function",
                "file_search",
            ):
                return web.json_response(
                    error_body(f"Invalid tool type {tool.get('type')!r}.", param="tools"),
                    status=400,
                )
            if tool["type"] == "image_generation" and (model := tool.get("model")) in RETIRED:
                return web.json_response(
                    error_body(
                        f"The model '{model}' has been deprecated and is no longer available.",
                        param="tools[0].model",
                        code="model_not_found",
                    ),
                    status=400,
                )
            if tool["type"] == "code_interpreter":
                container = tool.get("container")
                used: web.Response | FakeContainer
                if isinstance(container, dict):  # {"type": "auto"}: one made for this response
                    used = await self.containers.create_auto()
                else:
                    used = self.containers.use(str(container))
                if isinstance(used, web.Response):
                    return used
                container_id = used.id
        choice = call.body.get("tool_choice")
        if isinstance(choice, dict) and not response_tool(call.body, str(choice.get("type"))):
            return web.json_response(
                error_body(
                    f"Tool choice '{choice.get('type')}' not found in 'tools' parameter.",
                    param="tool_choice",
                ),
                status=400,
            )
        try:
            media = responses_media(call.body.get("input"), self.files.contents)
        except InvalidMedia as exc:
            return web.json_response(
                error_body(str(exc), param=exc.param, code=exc.code), status=400
            )
        items = _since_compaction(conversation.items) if conversation else []
        instructions = call.body.get("instructions") or ""
        given = input_text(call.body.get("input"))
        prompt = _prompt(call.body, items, given, media_tokens(media), self.compactions)
        compaction: Billed | None = None
        threshold = _compact_threshold(call.body)
        if conversation is not None and threshold and sum(p.tokens for p in prompt) > threshold:
            compaction, items = self._compact(conversation, call.body, items, given, prompt)
            prompt = _prompt(call.body, items, given, media_tokens(media), self.compactions)
        turn = self.model.begin(
            "responses",
            conversation=conversation_id,
            instructions=instructions,
            input=given,
            history=[self._item_text(i) for i in items],
            request=call.body,
            media=media,
            history_media=sum(_media_parts(i) for i in items),
            prompt=prompt,
        )
        if compaction is not None:
            turn.billed = compaction.plus(turn.billed)
        searched = response_tool(call.body, "file_search")
        found = self.stores.search(searched["vector_store_ids"], given) if searched else []
        if found and turn.reply.text is None and not calls_made(turn):
            # The model answers from what it found (the passages it read, by document).
            turn.text += "".join(f"\n\nFrom {p.filename}: {p.text}" for p in found)
        turn.requested_at = call.received_at
        response = FakeResponse(self.model.new_id("resp"), conversation_id, call.body, turn)
        response.found = found if searched else []
        if compaction is not None:
            response.compaction = items[0]
        response.container_id = container_id
        turn.remote_id = response.id
        self.responses[response.id] = response
        if conversation is not None:
            conversation.active_response = response.id
        response.task = asyncio.get_running_loop().create_task(self._generate(response))
        if call.body.get("stream"):
            drop_after, self.drop_next_stream_after = self.drop_next_stream_after, None
            return await stream_events(call.request, response.events, drop_after=drop_after)
        if not call.body.get("background"):
            await asyncio.shield(response.task)
        return web.json_response(self.response_json(response))

    def _compact(
        self,
        conversation: FakeConversation,
        request: dict[str, Any],
        items: list[dict[str, Any]],
        given: str,
        prompt: list[Segment],
    ) -> tuple[Billed, list[dict[str, Any]]]:
        """Server-side compaction (`context_management`): the rendered context, new input
        included, becomes one opaque item that the next turns read instead of what it replaced.
        The pass reads the whole prompt (through the cache) and writes the summary."""
        threshold = _compact_threshold(request) or 0
        texts = [self._item_text(i) for i in items if i.get("role") != "assistant"]
        summary = summarise([*texts, given], max(64, threshold // 4))
        item = {
            "type": "compaction",
            "id": self.model.new_id("cmp"),
            "encrypted_content": base64.b64encode(
                hashlib.sha256(summary.encode()).digest()
            ).decode(),
            "created_by": "server",
        }
        self.compactions[item["id"]] = summary
        conversation.items.append(item)
        cached, written = self.model.cache.bill(request, prompt)
        total = sum(p.tokens for p in prompt)
        return Billed(total, cached, written, output=text_tokens(summary)), [item]

    def _item_text(self, item: dict[str, Any]) -> str:
        if item.get("type") == "compaction":
            return self.compactions.get(str(item.get("id")), "")
        return input_text(item.get("content"))

    async def _emit(self, target: FakeResponse, kind: str, **fields: Any) -> None:
        event = {"type": kind, "sequence_number": next(target.sequence), **fields}
        await target.events.append(kind, event)

    async def _generate(self, response: FakeResponse) -> None:
        """The model at work: status events, text deltas, then the terminal event."""
        if response.request.get("background"):
            await self._emit(response, "response.queued", response=self.response_json(response))
        response.status = "in_progress"
        await self._emit(response, "response.in_progress", response=self.response_json(response))
        await self.model.think(response.turn)
        status = response.turn.reply.status
        if status in ("completed", "incomplete"):
            await self._use_tools(response)
        if status in ("completed", "incomplete") and response.tool("image_generation"):
            await self._draw(response)
        if status in ("completed", "incomplete") and not calls_made(response.turn):
            item = f"msg_{response.id[5:]}"
            for index, piece in enumerate(
                self.model.chunks(response.text, response.turn.reply.chunks)
            ):
                if index and response.turn.reply.chunk_delay:
                    await asyncio.sleep(response.turn.reply.chunk_delay)
                await self._emit(
                    response,
                    "response.output_text.delta",
                    item_id=item,
                    output_index=0,
                    content_index=0,
                    delta=piece,
                    logprobs=[],
                )
            await self._emit(
                response,
                "response.output_text.done",
                item_id=item,
                output_index=0,
                content_index=0,
                text=response.text,
                logprobs=[],
            )
        self._finish(response, status)
        self.model.finished(response.turn)
        kind = {"incomplete": "response.incomplete", "failed": "response.failed"}.get(
            status, "response.completed"
        )
        await self._emit(response, kind, response=self.response_json(response))
        await response.events.close()

    async def _use_tools(self, response: FakeResponse) -> None:
        """The search and the code, as their streamed events tell them (the items come with
        the finished response)."""
        reply, suffix = response.turn.reply, response.id[5:]
        if response.tool("file_search") and not calls_made(response.turn):
            for stage in ("in_progress", "searching", "completed"):
                await self._emit(response, f"response.file_search_call.{stage}",
                                 item_id=f"fs_{suffix}", output_index=0)  # fmt: skip
        if reply.sources and response.tool("web_search"):
            for stage in ("in_progress", "searching", "completed"):
                await self._emit(response, f"response.web_search_call.{stage}",
                                 item_id=f"ws_{suffix}", output_index=0)  # fmt: skip
        if reply.code and response.container_id:
            item = {"item_id": f"ci_{suffix}", "output_index": 0}
            await self._emit(response, "response.code_interpreter_call.in_progress", **item)
            await self._emit(
                response, "response.code_interpreter_call_code.delta", delta=reply.code, **item
            )
            await self._emit(
                response, "response.code_interpreter_call_code.done", code=reply.code, **item
            )
            await self._emit(response, "response.code_interpreter_call.interpreting", **item)
            if reply.hold_code is not None:
                await reply.hold_code.wait()
            await self._emit(response, "response.code_interpreter_call.completed", **item)

    async def _draw(self, response: FakeResponse) -> None:
        """The image tool at work: its events (a partial image when asked), then the images."""
        reply, tool = response.turn.reply, response.tool("image_generation") or {}
        forced = (response.request.get("tool_choice") or {}).get("type") == "image_generation"
        images = reply.draws or ([png(256, 256)] if forced else [])
        if not images and not reply.draw_refused:
            return
        item, index = f"ig_{response.id[5:]}", 0
        await self._emit(response, "response.image_generation_call.in_progress",
                         item_id=item, output_index=index)  # fmt: skip
        await self._emit(response, "response.image_generation_call.generating",
                         item_id=item, output_index=index)  # fmt: skip
        for n in range(min(int(tool.get("partial_images") or 0), 3)):
            await self._emit(response, "response.image_generation_call.partial_image",
                             item_id=item, output_index=index, partial_image_index=n,
                             partial_image_b64=base64.b64encode(png(32, 32)).decode())  # fmt: skip
        if not reply.draw_refused:
            response.drawn = list(images)
        await self._emit(response, "response.image_generation_call.completed",
                         item_id=item, output_index=index)  # fmt: skip

    def _finish(self, response: FakeResponse, status: str) -> None:
        if response.status not in PENDING:
            return
        reply = response.turn.reply
        container = self.containers.containers.get(response.container_id or "")
        if status == "completed" and reply.code and container is not None:
            for name, data in reply.writes:
                file = self.containers.write(container, name, data, "assistant")
                response.written.append((file.id, name))
        response.status = response.turn.status = status
        response.completed_at = int(time.time())
        conversation = self.conversations.get(response.conversation_id or "")
        if conversation is None:
            return
        conversation.active_response = None
        given = response.request.get("input")
        if status in ("completed", "incomplete") and _continues(given):
            conversation.items.extend(given or [])  # the calls' outputs, as sent
            conversation.items.extend(_output(response))
        elif status in ("completed", "incomplete"):
            content = (
                given[0]["content"]  # the message as sent: images and files stay in it
                if isinstance(given, list) and given and isinstance(given[0].get("content"), list)
                else [{"type": "input_text", "text": response.turn.input}]
            )
            conversation.items.append(
                {
                    "type": "message",
                    "id": self.model.new_id("msg"),
                    "status": "completed",
                    "role": "user",
                    "content": content,
                }
            )
            conversation.items.extend(_output(response))

    async def _get_response(self, call: ApiCall) -> web.StreamResponse:
        response = self.responses.get(call.ids["id"])
        if response is None:
            return _response_not_found(call.ids["id"])
        if str(call.body.get("stream", "")).lower() == "true":
            after = int(call.body.get("starting_after", -1))
            self.resumed_streams.append(after)
            return await stream_events(call.request, response.events, after=after)
        return web.json_response(self.response_json(response))

    async def _delete_response(self, call: ApiCall) -> web.Response:
        response = self.responses.pop(call.ids["id"], None)
        if response is None:
            return _response_not_found(call.ids["id"])
        self.deleted_responses.append(response.id)
        return web.json_response({"id": response.id, "object": "response", "deleted": True})

    async def _cancel_response(self, call: ApiCall) -> web.Response:
        response = self.responses.get(call.ids["id"])
        if response is None:
            return _response_not_found(call.ids["id"])
        if not response.request.get("background"):
            return web.json_response(
                error_body("Only responses created with background=true can be cancelled."),
                status=400,
            )
        if response.task is not None:
            response.task.cancel()
        self._finish(response, "cancelled")
        await response.events.close()
        return web.json_response(self.response_json(response))

    def response_json(self, response: FakeResponse) -> dict[str, Any]:
        body = response.request
        reply = response.turn.reply
        done = response.status in ("completed", "incomplete")
        billed = response.turn.billed
        return {
            "id": response.id,
            "object": "response",
            "created_at": response.created_at,
            "status": response.status,
            "background": bool(body.get("background")),
            "completed_at": response.completed_at if response.status == "completed" else None,
            "conversation": {"id": response.conversation_id} if response.conversation_id else None,
            "error": (
                {"code": reply.error_code, "message": "The model failed to answer."}
                if response.status == "failed"
                else None
            ),
            "incomplete_details": (
                {"reason": reply.incomplete_reason} if response.status == "incomplete" else None
            ),
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "metadata": body.get("metadata") or {},
            "model": f"{body.get('model')}{SNAPSHOT}",
            "output": _output(response),
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
            "tool_usage": _tool_usage(response) if done else None,
            "usage": (
                {
                    "input_tokens": billed.input,
                    "input_tokens_details": {
                        "cached_tokens": billed.cached,
                        "cache_write_tokens": billed.written,
                    },
                    "output_tokens": billed.output,
                    "output_tokens_details": {"reasoning_tokens": billed.reasoning},
                    "total_tokens": billed.input + billed.output,
                }
                if done
                else None
            ),
            "user": None,
        }


def _output(response: FakeResponse) -> list[dict[str, Any]]:
    """The items a finished response holds: the compaction it made first, if any, the tool
    calls the model made, then its message."""
    if response.status not in ("completed", "incomplete"):
        return []
    reply, items = response.turn.reply, list[dict[str, Any]]()
    if response.compaction is not None:
        items.append(response.compaction)
    annotations: list[dict[str, Any]] = []
    if reply.sources and response.tool("web_search"):
        items.append(
            {"type": "web_search_call", "id": f"ws_{response.id[5:]}", "status": "completed",
             "action": {"type": "search", "query": response.turn.input[:100]}}
        )  # fmt: skip
        end = len(response.text)
        annotations = [
            {"type": "url_citation", "start_index": 0, "end_index": end, "url": url, "title": title}
            for title, url in reply.sources
        ]
    if response.tool("file_search") and not calls_made(response.turn):
        wanted = "file_search_call.results" in (response.request.get("include") or [])
        items.append(
            {"type": "file_search_call", "id": f"fs_{response.id[5:]}", "status": "completed",
             "queries": [response.turn.input[:200]],
             "results": [{"file_id": p.file_id, "filename": p.filename, "text": p.text,
                          "score": p.score, "attributes": {}} for p in response.found]
             if wanted else None}
        )  # fmt: skip
        cited = {p.file_id: p.filename for p in response.found}
        annotations += [
            {"type": "file_citation", "file_id": file_id, "filename": name,
             "index": len(response.text)}
            for file_id, name in cited.items()
        ]  # fmt: skip
    tool = response.tool("image_generation") or {}
    for n, image in enumerate(response.drawn or ([b""] if reply.draw_refused else [])):
        items.append(
            {
                "type": "image_generation_call",
                "id": f"ig_{response.id[5:]}" + (f"_{n}" if n else ""),
                "status": "failed" if reply.draw_refused else "completed",
                "result": None if reply.draw_refused else base64.b64encode(image).decode(),
                "revised_prompt": response.turn.input[:200],
                "size": tool.get("size", "1024x1024"),
                "quality": tool.get("quality", "auto"),
                "output_format": tool.get("output_format", "png"),
                "background": "opaque",
                "action": "generate",
                "error": (
                    {"code": "moderation_blocked", "type": "image_generation_user_error",
                     "message": "Your request was rejected by the safety system.", "param": None}
                    if reply.draw_refused else None
                ),
            }
        )  # fmt: skip
    if reply.code and response.container_id and reply.cite:
        annotations += [
            {"type": "container_file_citation", "container_id": response.container_id,
             "file_id": file_id, "filename": name, "start_index": 0, "end_index": 0}
            for file_id, name in response.written
        ]  # fmt: skip
    if reply.code and response.container_id:
        wanted = "code_interpreter_call.outputs" in (response.request.get("include") or [])
        items.append(
            {
                "type": "code_interpreter_call",
                "id": f"ci_{response.id[5:]}",
                "status": "completed",
                "code": reply.code,
                "container_id": response.container_id,
                # Null unless the request asks for it, as the API does.
                "outputs": [{"type": "logs", "logs": "ran"}] if wanted else None,
            }
        )
    calls = calls_made(response.turn)
    items += (
        {"type": "function_call", "id": f"fc_{response.id[5:]}_{n}",
         "call_id": f"call_{response.id[5:13]}{n}", "name": name,
         "arguments": json.dumps(arguments), "status": "completed"}
        for n, (name, arguments) in enumerate(calls)
    )  # fmt: skip
    if calls:
        return items  # the model waits for the outputs
    items.append(
        {
            "type": "message",
            "id": f"msg_{response.id[5:]}",
            "status": response.status,
            "role": "assistant",
            "content": [
                {"type": "output_text", "text": response.text, "annotations": annotations,
                 "logprobs": []}
            ],
        }
    )  # fmt: skip
    return items


IMAGE_OUTPUT_TOKENS = {"low": 196, "medium": 1024, "high": 4096}  # the fake's, per image


def _tool_usage(response: FakeResponse) -> dict[str, Any]:
    """Hosted tools' usage as the API reports it: searches and image tokens."""
    reply = response.turn.reply
    searches = 1 if reply.sources and response.tool("web_search") else 0
    tool = response.tool("image_generation") or {}
    drawn = len(response.drawn)
    text_tokens = (len(response.turn.input) // 4 + 20) if response.drawn else 0
    out = IMAGE_OUTPUT_TOKENS.get(str(tool.get("quality")), 1024) * drawn
    return {
        "web_search": {"num_requests": searches},
        "image_gen": {
            "input_tokens": text_tokens,
            "input_tokens_details": {"image_tokens": 0, "text_tokens": text_tokens},
            "output_tokens": out,
            "total_tokens": text_tokens + out,
            "output_tokens_details": {"image_tokens": out, "text_tokens": 0},
        },
    }


def _valid_function(tool: dict[str, Any]) -> bool:
    """A function tool as the API requires it: a name, parameters and `strict`."""
    return bool(tool.get("name")) and "strict" in tool and "parameters" in tool


def _continues(given: Any) -> bool:
    """The input is the outputs of the model's calls, not a new message."""
    return (
        isinstance(given, list)
        and bool(given)
        and all(isinstance(i, dict) and i.get("type") == "function_call_output" for i in given)
    )


def _media_parts(item: dict[str, Any]) -> int:
    content = item.get("content")
    if not isinstance(content, list):
        return 0
    return sum(1 for part in content if part.get("type") in ("input_image", "input_file"))


def _since_compaction(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the model reads of a conversation: from its latest compaction item on."""
    for n in range(len(items) - 1, -1, -1):
        if items[n].get("type") == "compaction":
            return items[n:]
    return items


def _compact_threshold(request: dict[str, Any]) -> int | None:
    for entry in request.get("context_management") or []:
        if entry.get("type") == "compaction":
            return int(entry.get("compact_threshold") or DEFAULT_COMPACT_THRESHOLD)
    return None


def _prompt(
    request: dict[str, Any],
    items: list[dict[str, Any]],
    given: str,
    given_media: int,
    compactions: dict[str, str],
) -> list[Segment]:
    """The prompt as the model reads it: instructions, tools, the conversation, the input."""
    prompt = [segment("instructions", request.get("instructions") or "")]
    if tools := request.get("tools"):
        prompt.append(segment("tools", json.dumps(tools, sort_keys=True)))
    for item in items:
        if item.get("type") == "compaction":
            prompt.append(segment("compaction", compactions.get(str(item.get("id")), "")))
        else:
            media = _media_parts(item) * IMAGE_TOKENS
            prompt.append(segment(str(item.get("role")), input_text(item.get("content")), media))
    prompt.append(segment("user", given, given_media))  # as it is kept once answered
    return prompt


def _conversation_json(conversation: FakeConversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "object": "conversation",
        "created_at": conversation.created_at,
        "metadata": conversation.metadata,
    }


def _locked() -> web.Response:
    return web.json_response(
        error_body(
            "Another process is currently operating on this conversation. "
            "Please retry in a few seconds.",
            param="conversation",
            code="conversation_locked",
        ),
        status=400,
    )


def _conversation_not_found(conversation_id: str) -> web.Response:
    return web.json_response(
        error_body(f"Conversation with id '{conversation_id}' not found.", param="conversation"),
        status=404,
    )


def _response_not_found(response_id: str) -> web.Response:
    return web.json_response(
        error_body(f"Response with id '{response_id}' not found.", param="response_id"),
        status=404,
    )
