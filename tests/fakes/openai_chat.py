"""Fake Chat Completions, as OpenAI and OpenAI-compatible servers (Ollama, vLLM…) serve it.

Streams as server-sent events ending in `data: [DONE]`, with the usage chunk (empty `choices`)
only when asked for. Switches emulate the servers that reject `stream_options` or send no usage.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web

from tests.fakes.billing import segment
from tests.fakes.openai_media import InvalidMedia, chat_media
from tests.fakes.openai_model import (
    FakeModel,
    Turn,
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

    def routes(self) -> list[Route]:
        return [Route("POST", r"/chat/completions", self._complete)]

    async def _complete(self, call: ApiCall) -> web.StreamResponse:
        if self.reject_stream_options and "stream_options" in call.body:
            return web.json_response(
                error_body(
                    "Unrecognized request argument supplied: stream_options", param="stream_options"
                ),
                status=400,
            )
        messages = call.body.get("messages") or []
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
            input=input_text(others[-1].get("content")) if others else "",
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
                        "content": turn.text,
                        "refusal": None,
                        "annotations": [],
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
