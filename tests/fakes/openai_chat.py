"""Fake Chat Completions, as OpenAI and OpenAI-compatible servers (Ollama, vLLM…) serve it.

Streams as server-sent events ending in `data: [DONE]`, with the usage chunk (empty `choices`)
only when asked for. Switches emulate the servers that reject `stream_options` or send no usage.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from typing import Any

from aiohttp import web

from tests.fakes.billing import segment
from tests.fakes.openai_media import InvalidMedia, chat_media
from tests.fakes.openai_model import (
    FakeModel,
    Turn,
    calls_made,
    error_body,
    input_text,
    media_tokens,
)
from tests.fakes.routing import ApiCall, Route

# How servers without a vision model refuse an image, exactly as each answers.
NO_VISION: dict[str, tuple[int, dict[str, Any]]] = {
    "openai": (
        400,
        error_body(
            "Invalid content type. image_url is only supported by certain models.",
            param="messages.[1].content.[1].type",
        ),
    ),
    "llama.cpp": (
        500,
        {
            "error": {
                "code": 500,
                "message": "image input is not supported - hint: if this is unexpected, you may"
                " need to provide the mmproj",
                "type": "server_error",
            }
        },
    ),
    # llama-cpp-python's server (the real lane's) with a text-only model.
    "llama-cpp-python": (
        500,
        error_body('can only concatenate str (not "list") to str', type="internal_server_error"),
    ),
    "ollama": (
        400,
        {
            "error": {
                "message": "this model does not support image input",
                "type": "api_error",
                "param": None,
                "code": None,
            }
        },
    ),
    "vllm": (
        400,
        {
            "object": "error",
            "message": "gpt-test is not a multimodal model",
            "type": "BadRequestError",
            "param": None,
            "code": 400,
        },
    ),
    # LM Studio: HTTP 200 with an error body and no choices.
    "lmstudio": (200, {"error": "Model does not support images. Please use a model that does."}),
}


class ChatAPI:
    def __init__(self, model: FakeModel) -> None:
        self.model = model
        self.reject_stream_options = False
        self.send_usage = True
        self.blind: str | None = None  # a NO_VISION server: refuses every image
        self.refusals = 0  # image requests a blind server refused
        self.embeddings_supported = True  # False: llama.cpp started without --embeddings
        self.embedded: list[str] = []  # every text embedded, in order

    def routes(self) -> list[Route]:
        return [
            Route("POST", r"/chat/completions", self._complete),
            Route("POST", r"/embeddings", self._embed),
        ]

    async def _embed(self, call: ApiCall) -> web.Response:
        """Embeddings that say which words a text has: texts sharing words are close."""
        if not self.embeddings_supported:
            message = "This server does not support embeddings. Start it with `--embeddings`"
            return web.json_response(
                {"error": {"code": 501, "type": "not_supported_error", "message": message}},
                status=501,
            )
        given = call.body.get("input")
        texts = [given] if isinstance(given, str) else list(given or [])
        self.embedded += texts
        data = [
            {"object": "embedding", "index": n, "embedding": word_vector(text)}
            for n, text in enumerate(texts)
        ]
        tokens = sum(len(t) // 4 + 1 for t in texts)
        return web.json_response(
            {"object": "list", "data": data, "model": call.body.get("model"),
             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
        )  # fmt: skip

    async def _complete(self, call: ApiCall) -> web.StreamResponse:
        if self.reject_stream_options and "stream_options" in call.body:
            return web.json_response(
                error_body(
                    "Unrecognized request argument supplied: stream_options", param="stream_options"
                ),
                status=400,
            )
        messages = call.body.get("messages") or []
        if (refused := _unanswered_tool_message(messages)) is not None:
            return refused
        system = [m for m in messages if m.get("role") in ("system", "developer")]
        others = [m for m in messages if m.get("role") not in ("system", "developer")]
        try:
            media = [
                seen
                for i, m in enumerate(messages)
                for seen in chat_media(m.get("content"), f"messages[{i}].content")
            ]
        except InvalidMedia as exc:
            return web.json_response(
                error_body(str(exc), param=exc.param, code=exc.code), status=400
            )
        if media and self.blind is not None:
            self.refusals += 1
            status, body = NO_VISION[self.blind]
            return web.json_response(body, status=status)
        turn = self.model.begin(
            "chat",
            conversation=None,
            instructions=input_text(system[0].get("content")) if system else "",
            input=_latest_input(others),
            history=[input_text(m.get("content")) for m in others[:-1]],
            request=call.body,
            media=media,
            prompt=[
                segment(str(m.get("role")), input_text(m.get("content")),
                        media_tokens(chat_media(m.get("content"), "")))
                for m in messages
            ],
        )  # fmt: skip
        turn.remote_id = self.model.new_id("chatcmpl")
        turn.requested_at = call.received_at
        await self.model.think(turn)
        if turn.reply.status == "failed":
            turn.status = "failed"
            return web.json_response(
                error_body(
                    "The server had an error while processing your request.", type="server_error"
                ),
                status=500,
            )
        turn.status = turn.reply.status
        if call.body.get("stream"):
            return await self._stream(turn, call.body, call.request)
        self.model.finished(turn)
        return web.json_response(self._completion(turn, call.body))

    def _finish_reason(self, turn: Turn) -> str:
        if calls_made(turn):
            return "tool_calls"
        return "length" if turn.reply.status == "incomplete" else "stop"

    def _usage(self, turn: Turn) -> dict[str, Any]:
        billed = turn.billed
        return {
            "prompt_tokens": billed.input,
            "completion_tokens": billed.output,
            "total_tokens": billed.input + billed.output,
            "prompt_tokens_details": {
                "cached_tokens": billed.cached,
                "cache_write_tokens": billed.written,
            },
            "completion_tokens_details": {"reasoning_tokens": billed.reasoning},
        }

    def _completion(self, turn: Turn, body: dict[str, Any]) -> dict[str, Any]:
        completion: dict[str, Any] = {
            "id": turn.remote_id,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": None if calls_made(turn) else turn.text,
                        "refusal": None,
                        "annotations": [],
                        **({"tool_calls": _tool_calls(turn)} if calls_made(turn) else {}),
                    },
                    "logprobs": None,
                    "finish_reason": self._finish_reason(turn),
                }
            ],
            "system_fingerprint": None,
        }
        if self.send_usage:
            completion["usage"] = self._usage(turn)
        return completion

    async def _stream(
        self, turn: Turn, body: dict[str, Any], request: web.Request
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)

        def chunk(delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
            return {
                "id": turn.remote_id,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model"),
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }

        events = [chunk({"role": "assistant", "content": ""}, None)]
        events += [
            chunk({"content": piece}, None)
            for piece in self.model.chunks(turn.text, turn.reply.chunks)
            if piece
        ]
        for index, made in enumerate(_tool_calls(turn)):
            # As OpenAI streams a call: its id and name first, then its arguments in pieces.
            arguments = made["function"]["arguments"]
            first = {
                **made,
                "index": index,
                "function": {"name": made["function"]["name"], "arguments": ""},
            }
            events.append(chunk({"tool_calls": [first]}, None))
            events += [
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}, None)
                for piece in self.model.chunks(arguments, 3)
            ]
        events.append(chunk({}, self._finish_reason(turn)))
        wants_usage = (body.get("stream_options") or {}).get("include_usage")
        if wants_usage and self.send_usage:
            events.append({**chunk({}, None), "choices": [], "usage": self._usage(turn)})
        for index, event in enumerate(events):
            if index > 1 and turn.reply.chunk_delay:
                await asyncio.sleep(turn.reply.chunk_delay)
            await response.write(f"data: {json.dumps(event)}\n\n".encode())
        self.model.finished(turn)
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response


def _tool_calls(turn: Turn) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{turn.remote_id[-8:]}{n}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments)},
        }
        for n, (name, arguments) in enumerate(calls_made(turn))
    ]


def _latest_input(others: list[dict[str, Any]]) -> str:
    """What the model reads last: the user's message, or the outputs of its calls."""
    if not others:
        return ""
    tail: list[str] = []
    for message in reversed(others):
        if message.get("role") != "tool":
            break
        tail.insert(0, input_text(message.get("content")))
    return "\n".join(tail) if tail else input_text(others[-1].get("content"))


def _unanswered_tool_message(messages: list[dict[str, Any]]) -> web.Response | None:
    """OpenAI's 400 for a `tool` message that answers no call of the assistant's before it."""
    asked: set[str] = set()
    for message in messages:
        for made in message.get("tool_calls") or []:
            asked.add(str(made.get("id")))
        if message.get("role") == "tool" and message.get("tool_call_id") not in asked:
            return web.json_response(
                error_body(
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    param="messages",
                ),
                status=400,
            )
    return None


def word_vector(text: str, size: int = 64) -> list[float]:
    """Each word of four letters or more adds one to a slot its hash picks."""
    vector = [0.0] * size
    for word in re.findall(r"[a-zà-ÿ0-9]{4,}", text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % size] += 1.0
    return vector
