"""Fake legacy Assistants API: assistants, threads, messages and runs, with the real run lifecycle.

One active run per thread: adding a message or starting a run while one is active gets the real
400s. A cancelled run passes through `cancelling`; `requires_action` waits until cancelled.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.billing import segment
from tests.fakes.openai_files import FilesAPI
from tests.fakes.openai_media import SeenMedia
from tests.fakes.openai_model import SNAPSHOT, FakeModel, Turn, calls_made, error_body
from tests.fakes.openai_vector_stores import VectorStoresAPI
from tests.fakes.routing import ApiCall, Route
from tests.fakes.sse import EventLog, stream_events

ACTIVE = ("queued", "in_progress", "requires_action", "cancelling")


@dataclass
class FakeThread:
    id: str
    metadata: dict[str, str]
    messages: list[dict[str, Any]] = field(default_factory=list)
    created_at: int = field(default_factory=lambda: int(time.time()))
    active_run: str | None = None
    tool_resources: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeRun:
    id: str
    thread_id: str
    assistant_id: str
    request: dict[str, Any]
    turn: Turn
    status: str = "queued"
    created_at: int = field(default_factory=lambda: int(time.time()))
    ended_at: int | None = None
    task: asyncio.Task[None] | None = None
    events: EventLog = field(default_factory=EventLog)
    waiting_for: list[dict[str, Any]] = field(default_factory=list)  # the calls it made
    earlier: list[Turn] = field(default_factory=list)  # its model calls before tool outputs


class AssistantsAPI:
    def __init__(
        self,
        model: FakeModel,
        files: FilesAPI | None = None,
        stores: VectorStoresAPI | None = None,
    ) -> None:
        self.model = model
        self.files = files or FilesAPI(model)
        self.stores = stores or VectorStoresAPI(model, self.files)
        self.assistants: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, FakeThread] = {}
        self.deleted: list[str] = []
        self.runs: dict[str, FakeRun] = {}
        self.steps: dict[str, list[dict[str, Any]]] = {}  # run steps, by run
        self.active_run_rejections = 0
        self.streaming_supported = True

    def routes(self) -> list[Route]:
        thread = r"/threads/(?P<thread>[^/]+)"
        return [
            Route("POST", r"/assistants", self._create_assistant),
            Route("GET", r"/assistants/(?P<id>[^/]+)", self._get_assistant),
            Route("POST", r"/threads", self._create_thread),
            Route("GET", thread, self._get_thread),
            Route("POST", thread, self._update_thread),
            Route("DELETE", thread, self._delete_thread),
            Route("POST", thread + "/messages", self._create_message),
            Route("GET", thread + "/messages", self._list_messages),
            Route("POST", thread + "/runs", self._create_run),
            Route("GET", thread + "/runs", self._list_runs),
            Route("GET", thread + r"/runs/(?P<run>[^/]+)", self._get_run),
            Route("POST", thread + r"/runs/(?P<run>[^/]+)/cancel", self._cancel_run),
            Route(
                "POST",
                thread + r"/runs/(?P<run>[^/]+)/submit_tool_outputs",
                self._submit_tool_outputs,
            ),
            Route("GET", thread + r"/runs/(?P<run>[^/]+)/steps", self._list_steps),
        ]

    async def stop(self) -> None:
        for run in self.runs.values():
            if run.task is not None:
                run.task.cancel()
            await run.events.close()

    # -- assistants and threads ---------------------------------------------------------------

    async def _create_assistant(self, call: ApiCall) -> web.Response:
        assistant: dict[str, Any] = {
            "id": self.model.new_id("asst"),
            "object": "assistant",
            "created_at": int(time.time()),
            "name": call.body.get("name"),
            "description": call.body.get("description"),
            "model": call.body.get("model"),
            "instructions": call.body.get("instructions"),
            "tools": call.body.get("tools") or [],
            "metadata": call.body.get("metadata") or {},
            "top_p": 1.0,
            "temperature": 1.0,
            "response_format": "auto",
        }
        self.assistants[assistant["id"]] = assistant
        return web.json_response(assistant)

    async def _get_assistant(self, call: ApiCall) -> web.Response:
        assistant = self.assistants.get(call.ids["id"])
        if assistant is None:
            return _not_found(f"No assistant found with id '{call.ids['id']}'.")
        return web.json_response(assistant)

    async def _create_thread(self, call: ApiCall) -> web.Response:
        thread = FakeThread(self.model.new_id("thread"), call.body.get("metadata") or {})
        self.threads[thread.id] = thread
        return web.json_response(_thread_json(thread))

    async def _get_thread(self, call: ApiCall) -> web.Response:
        thread = self.threads.get(call.ids["thread"])
        if thread is None:
            return _thread_not_found(call.ids["thread"])
        return web.json_response(_thread_json(thread))

    async def _update_thread(self, call: ApiCall) -> web.Response:
        thread = self.threads.get(call.ids["thread"])
        if thread is None:
            return _thread_not_found(call.ids["thread"])
        resources = call.body.get("tool_resources")
        if isinstance(resources, dict):
            for store_id in (resources.get("file_search") or {}).get("vector_store_ids") or []:
                if store_id not in self.stores.stores:
                    return _not_found(f"Vector store with id '{store_id}' not found.")
            thread.tool_resources = resources
        return web.json_response(_thread_json(thread))

    async def _delete_thread(self, call: ApiCall) -> web.Response:
        thread = self.threads.pop(call.ids["thread"], None)
        if thread is None:
            return _thread_not_found(call.ids["thread"])
        self.deleted.append(thread.id)
        return web.json_response({"id": thread.id, "object": "thread.deleted", "deleted": True})

    # -- messages -----------------------------------------------------------------------------

    async def _create_message(self, call: ApiCall) -> web.Response:
        thread = self.threads.get(call.ids["thread"])
        if thread is None:
            return _thread_not_found(call.ids["thread"])
        if thread.active_run is not None:
            self.active_run_rejections += 1
            return web.json_response(
                error_body(
                    f"Can't add messages to {thread.id} while a run {thread.active_run} is active."
                ),
                status=400,
            )
        content = call.body.get("content")
        text = content if isinstance(content, str) else _parts_text(content)
        images = []
        for part in content if isinstance(content, list) else []:
            if part.get("type") == "image_file":
                file_id = (part.get("image_file") or {}).get("file_id")
                if file_id not in self.files.files:
                    return web.json_response(
                        error_body(
                            f"Invalid 'content': file {file_id} not found.", param="content"
                        ),
                        status=400,
                    )
                images.append(part)
            elif part.get("type") != "text":
                return web.json_response(
                    error_body(f"Invalid content part type {part.get('type')!r}.", param="content"),
                    status=400,
                )
        attachments = call.body.get("attachments") or []
        for attachment in attachments:
            tools = [t.get("type") for t in attachment.get("tools") or []]
            if attachment.get("file_id") not in self.files.files or not tools:
                return web.json_response(
                    error_body(
                        f"Invalid 'attachments': file {attachment.get('file_id')} not found or "
                        "no tool named.",
                        param="attachments",
                    ),
                    status=400,
                )
        message = self._message(thread, "user", text, run_id=None)
        message["content"] = [*images, *message["content"]]
        message["attachments"] = attachments
        return web.json_response(message)

    def _message(
        self, thread: FakeThread, role: str, text: str, run_id: str | None
    ) -> dict[str, Any]:
        message = {
            "id": self.model.new_id("msg"),
            "object": "thread.message",
            "created_at": int(time.time()),
            "assistant_id": None,
            "thread_id": thread.id,
            "run_id": run_id,
            "role": role,
            "status": "completed",
            "content": [{"type": "text", "text": {"value": text, "annotations": []}}],
            "attachments": [],
            "metadata": {},
        }
        thread.messages.append(message)
        return message

    async def _list_messages(self, call: ApiCall) -> web.Response:
        thread = self.threads.get(call.ids["thread"])
        if thread is None:
            return _thread_not_found(call.ids["thread"])
        messages = list(thread.messages)
        if call.body.get("run_id"):
            messages = [m for m in messages if m["run_id"] == call.body["run_id"]]
        if call.body.get("order", "desc") == "desc":
            messages.reverse()
        messages = messages[: int(call.body.get("limit", 20))]
        return web.json_response(_page(messages))

    # -- runs ---------------------------------------------------------------------------------

    async def _create_run(self, call: ApiCall) -> web.StreamResponse:
        thread = self.threads.get(call.ids["thread"])
        if thread is None:
            return _thread_not_found(call.ids["thread"])
        if call.body.get("assistant_id") not in self.assistants:
            return _not_found(f"No assistant found with id '{call.body.get('assistant_id')}'.")
        if thread.active_run is not None:
            self.active_run_rejections += 1
            return web.json_response(
                error_body(f"Thread {thread.id} already has an active run {thread.active_run}."),
                status=400,
            )
        for tool in call.body.get("tools") or []:
            if tool.get("type") not in ("code_interpreter", "file_search", "function"):
                return web.json_response(
                    error_body(f"Invalid tool type {tool.get('type')!r}.", param="tools"),
                    status=400,
                )
        if call.body.get("stream") and not self.streaming_supported:
            return web.json_response(
                error_body("Streaming is not supported by this server.", param="stream"),
                status=400,
            )
        texts = [_parts_text(m["content"]) for m in thread.messages]
        images = [
            [p for p in m["content"] if p.get("type") == "image_file"] for m in thread.messages
        ]
        last = images[-1] if images else []
        media = [
            SeenMedia(
                "image",
                "image/*",
                self.files.contents.get(p["image_file"]["file_id"], b""),
                detail=p["image_file"].get("detail"),
            )
            for p in last
        ]
        instructions = call.body.get("instructions") or ""
        history = _truncated(call.body, instructions, texts[:-1], texts[-1] if texts else "")
        turn = self.model.begin(
            "assistants",
            conversation=thread.id,
            instructions=instructions,
            input=texts[-1] if texts else "",
            history=history,
            request=call.body,
            media=media,
            history_media=sum(len(i) for i in images[:-1]),
        )
        run = FakeRun(
            self.model.new_id("run"), thread.id, call.body["assistant_id"], call.body, turn
        )
        turn.remote_id = run.id
        self.runs[run.id] = run
        thread.active_run = run.id
        await run.events.append("thread.run.created", self.run_json(run))
        run.task = asyncio.get_running_loop().create_task(self._execute(run))
        if call.body.get("stream"):
            return await stream_events(call.request, run.events, done_marker=True)
        return web.json_response(self.run_json(run))

    async def _execute(self, run: FakeRun) -> None:
        """The run at work: events as the real API streams them, then its end."""
        run.status = "in_progress"
        await run.events.append("thread.run.in_progress", self.run_json(run))
        await self.model.think(run.turn)
        outcome = run.turn.reply.status
        if outcome == "completed" and (made := calls_made(run.turn)):
            run.waiting_for = [
                {"id": f"call_{run.id[-6:]}{len(run.earlier)}{n}", "type": "function",
                 "function": {"name": name, "arguments": json.dumps(arguments)}}
                for n, (name, arguments) in enumerate(made)
            ]  # fmt: skip
            outcome = "requires_action"
        if outcome == "requires_action":
            run.status = run.turn.status = "requires_action"
            await run.events.append("thread.run.requires_action", self.run_json(run))
            await run.events.close()
            return  # waits for tool outputs we never get, or a cancel
        message_id = self.model.new_id("msg")
        tools = [t.get("type") for t in run.request.get("tools") or []]
        if outcome == "completed" and run.turn.reply.code and "code_interpreter" in tools:
            await run.events.append("thread.run.step.created", self._step(run, []))
            if run.turn.reply.hold_code is not None:
                await run.turn.reply.hold_code.wait()
        if outcome in ("completed", "incomplete"):
            reply = run.turn.reply
            for index, piece in enumerate(self.model.chunks(run.turn.text, reply.chunks)):
                if index and reply.chunk_delay:
                    await asyncio.sleep(reply.chunk_delay)
                delta = {"index": 0, "type": "text", "text": {"value": piece, "annotations": []}}
                await run.events.append(
                    "thread.message.delta",
                    {
                        "id": message_id,
                        "object": "thread.message.delta",
                        "delta": {"content": [delta]},
                    },
                )
        await self._finish(run, outcome, message_id)

    async def _finish(self, run: FakeRun, status: str, message_id: str | None = None) -> None:
        self.model.finished(run.turn)
        run.status = run.turn.status = status
        run.ended_at = int(time.time())
        thread = self.threads.get(run.thread_id)
        if thread is not None:
            thread.active_run = None
            if status in ("completed", "incomplete"):
                message = self._message(thread, "assistant", run.turn.text, run_id=run.id)
                if message_id:
                    message["id"] = message_id
                if status == "completed":
                    self._code_outputs(run, message)
                    self._file_search(run, thread, message)
                await run.events.append("thread.message.completed", message)
        await run.events.append(f"thread.run.{status}", self.run_json(run))
        await run.events.close()

    def _code_outputs(self, run: FakeRun, message: dict[str, Any]) -> None:
        """What the code interpreter wrote, as the legacy API shows it: images as `image_file`
        parts, other files as `file_path` annotations on a sandbox link; a run step for it."""
        reply = run.turn.reply
        tools = [t.get("type") for t in run.request.get("tools") or []]
        if not reply.code or "code_interpreter" not in tools:
            return
        [text] = message["content"]
        outputs, images = [], []
        for name, data in reply.writes:
            file_id = self.files.add_output(name, data)
            if name.lower().endswith((".png", ".jpg", ".jpeg")):
                images.append({"type": "image_file", "image_file": {"file_id": file_id}})
                outputs.append({"type": "image", "image": {"file_id": file_id}})
                continue
            link = f"sandbox:/mnt/data/{name}"
            value = text["text"]["value"] + f" [{name}]({link})"
            start = value.index(link)
            text["text"]["value"] = value
            text["text"]["annotations"].append(
                {"type": "file_path", "text": link, "file_path": {"file_id": file_id},
                 "start_index": start, "end_index": start + len(link)}
            )  # fmt: skip
        message["content"] = [*images, text]
        self.steps.setdefault(run.id, []).append(self._step(run, outputs))

    def _file_search(self, run: FakeRun, thread: FakeThread, message: dict[str, Any]) -> None:
        """A search of the thread's vector stores, when the run may search: the passages it
        found, quoted and cited the legacy way (a 【n:m†source】 marker, its file's id), and
        a run step for the search."""
        tools = [t.get("type") for t in run.request.get("tools") or []]
        stores = (thread.tool_resources.get("file_search") or {}).get("vector_store_ids") or []
        if "file_search" not in tools or not stores or calls_made(run.turn):
            return
        found = self.stores.search(stores, run.turn.input)
        [text] = [part for part in message["content"] if part["type"] == "text"]
        for n, passage in enumerate(found):
            marker = f"【4:{n}†source】"
            value = text["text"]["value"] + f"\n\nFrom {passage.filename}: {passage.text}"
            start = len(value)
            text["text"]["value"] = value + marker
            text["text"]["annotations"].append(
                {"type": "file_citation", "text": marker, "file_citation": {"file_id":
                 passage.file_id}, "start_index": start, "end_index": start + len(marker)}
            )  # fmt: skip
        step = self._step(run, [])
        step["status"] = "completed"
        step["id"] = f"step_fs_{run.id[4:]}"
        step["step_details"]["tool_calls"] = [
            {"id": f"call_fs_{run.id[4:]}", "type": "file_search", "file_search": {}}
        ]
        self.steps.setdefault(run.id, []).append(step)

    def _step(self, run: FakeRun, outputs: list[dict[str, Any]]) -> dict[str, Any]:
        """The run step of the code interpreter's call (in progress until it has outputs)."""
        return {
            "id": f"step_{run.id[4:]}", "object": "thread.run.step", "created_at": run.created_at,
            "assistant_id": run.assistant_id, "run_id": run.id, "thread_id": run.thread_id,
            "type": "tool_calls", "status": "completed" if outputs else "in_progress",
            "cancelled_at": None, "completed_at": None, "expired_at": None, "failed_at": None,
            "last_error": None, "usage": None,
            "step_details": {"type": "tool_calls", "tool_calls": [
                {"id": f"call_{run.id[4:]}", "type": "code_interpreter",
                 "code_interpreter": {"input": run.turn.reply.code, "outputs": outputs}}]},
        }  # fmt: skip

    async def _list_steps(self, call: ApiCall) -> web.Response:
        run = self.runs.get(call.ids["run"])
        if run is None or run.thread_id != call.ids["thread"]:
            return _not_found(f"No run found with id '{call.ids['run']}'.")
        return web.json_response(_page(self.steps.get(run.id, [])))

    async def _get_run(self, call: ApiCall) -> web.Response:
        run = self.runs.get(call.ids["run"])
        if run is None or run.thread_id != call.ids["thread"]:
            return _not_found(f"No run found with id '{call.ids['run']}'.")
        return web.json_response(self.run_json(run))

    async def _list_runs(self, call: ApiCall) -> web.Response:
        runs = [r for r in self.runs.values() if r.thread_id == call.ids["thread"]]
        runs.reverse()
        return web.json_response(_page([self.run_json(r) for r in runs]))

    async def _submit_tool_outputs(self, call: ApiCall) -> web.StreamResponse:
        """The run goes on with the outputs: the model reads them, then writes its answer."""
        run = self.runs.get(call.ids["run"])
        if run is None or run.thread_id != call.ids["thread"]:
            return _not_found(f"No run found with id '{call.ids['run']}'.")
        outputs = call.body.get("tool_outputs") or []
        asked = {c["id"] for c in run.waiting_for}
        if run.status != "requires_action" or {o.get("tool_call_id") for o in outputs} != asked:
            return web.json_response(
                error_body(
                    f'Runs in status "{run.status}" do not accept tool outputs.'
                    if run.status != "requires_action"
                    else "Expected tool outputs for call_ids " + ", ".join(sorted(asked)),
                    param="tool_outputs" if run.status == "requires_action" else None,
                ),
                status=400,
            )
        run.earlier.append(run.turn)
        run.waiting_for = []
        run.turn = self.model.begin(
            "assistants",
            conversation=run.thread_id,
            instructions=run.turn.instructions,
            input="\n".join(str(o.get("output") or "") for o in outputs),
            history=[*run.turn.history, run.turn.input],
            request=run.request,
        )
        run.turn.remote_id = run.id
        run.status = "queued"
        run.events = EventLog()
        run.task = asyncio.get_running_loop().create_task(self._execute(run))
        if call.body.get("stream"):
            return await stream_events(call.request, run.events, done_marker=True)
        return web.json_response(self.run_json(run))

    async def _cancel_run(self, call: ApiCall) -> web.Response:
        run = self.runs.get(call.ids["run"])
        if run is None or run.thread_id != call.ids["thread"]:
            return _not_found(f"No run found with id '{call.ids['run']}'.")
        if run.status not in ACTIVE:
            return web.json_response(
                error_body(f"Cannot cancel run with status '{run.status}'."), status=400
            )
        if run.task is not None:
            run.task.cancel()
        run.status = run.turn.status = "cancelling"

        async def cancelled_soon() -> None:
            await asyncio.sleep(0.05)
            await self._finish(run, "cancelled")

        run.task = asyncio.get_running_loop().create_task(cancelled_soon())
        return web.json_response(self.run_json(run))

    def run_json(self, run: FakeRun) -> dict[str, Any]:
        reply = run.turn.reply
        done = run.status in ("completed", "incomplete")
        prompt_tokens, answer_tokens = run.turn.billed.input, run.turn.billed.output
        return {
            "id": run.id,
            "object": "thread.run",
            "created_at": run.created_at,
            "assistant_id": run.assistant_id,
            "thread_id": run.thread_id,
            "status": run.status,
            "started_at": run.created_at,
            "expires_at": None if run.ended_at else run.created_at + 600,
            "cancelled_at": run.ended_at if run.status == "cancelled" else None,
            "failed_at": run.ended_at if run.status == "failed" else None,
            "completed_at": run.ended_at if run.status == "completed" else None,
            "required_action": (
                {
                    "type": "submit_tool_outputs",
                    "submit_tool_outputs": {
                        "tool_calls": run.waiting_for
                        or [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "lookup_order", "arguments": "{}"},
                            }
                        ]
                    },
                }
                if run.status == "requires_action"
                else None
            ),
            "last_error": (
                {"code": reply.error_code, "message": "Sorry, something went wrong."}
                if run.status == "failed"
                else None
            ),
            "incomplete_details": (
                {"reason": reply.incomplete_reason} if run.status == "incomplete" else None
            ),
            "model": f"{run.request.get('model') or 'gpt-6-luna'}{SNAPSHOT}",
            "instructions": run.request.get("instructions") or "",
            "tools": [],
            "metadata": {},
            "usage": (
                {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": answer_tokens,
                    "total_tokens": prompt_tokens + answer_tokens,
                }
                if done
                else None
            ),
            "temperature": 1.0,
            "top_p": 1.0,
            "max_prompt_tokens": run.request.get("max_prompt_tokens"),
            "max_completion_tokens": None,
            "truncation_strategy": run.request.get("truncation_strategy")
            or {"type": "auto", "last_messages": None},
            "response_format": "auto",
            "tool_choice": "auto",
            "parallel_tool_calls": True,
        }


def _parts_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for part in content or []:
        if part.get("type") != "text":
            continue
        text = part.get("text")
        texts.append(text.get("value", "") if isinstance(text, dict) else str(text or ""))
    return "\n".join(texts)


def _page(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": False,
    }


def _thread_json(thread: FakeThread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "object": "thread",
        "created_at": thread.created_at,
        "metadata": thread.metadata,
        "tool_resources": thread.tool_resources,
    }


def _thread_not_found(thread_id: str) -> web.Response:
    return _not_found(f"No thread found with id '{thread_id}'.")


def _not_found(message: str) -> web.Response:
    return web.json_response(error_body(message), status=404)


def _truncated(
    request: dict[str, Any], instructions: str, history: list[str], latest: str
) -> list[str]:
    """The thread as the run reads it: `truncation_strategy` `last_messages` keeps the newest;
    `auto` drops messages from the middle until `max_prompt_tokens` fits (the first stay)."""
    strategy = request.get("truncation_strategy") or {}
    if strategy.get("type") == "last_messages" and strategy.get("last_messages"):
        return (
            history[-(int(strategy["last_messages"]) - 1) :]
            if strategy["last_messages"] > 1
            else []
        )
    most = request.get("max_prompt_tokens")
    if not most:
        return history
    kept = list(history)
    size = sum(segment("m", t).tokens for t in [instructions, *kept, latest])
    while kept and size > int(most):
        middle = min(1, len(kept) - 1)
        size -= segment("m", kept.pop(middle)).tokens
    return kept
