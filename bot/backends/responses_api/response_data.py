"""The Responses API's response as plain JSON: the fields a turn reads, and the result they make.

Read with json.loads, not as the SDK's `Response` model: building that model's schema costs
~4.6 MB of memory and ~60 ms of blocked loop, and each parse ~1 ms, for the six fields a turn
needs (see `responses`).
"""

from __future__ import annotations

import json
import re
from typing import Any, TypedDict, cast

from bot.backends.backend_errors import (
    BackendUnavailable,
)
from bot.backends.base import (
    Artifact,
    TurnResult,
    TurnStatus,
)
from bot.backends.openai_calls import TERMINAL_STATUS
from bot.backends.turn_tools import FunctionCall
from storage import ImageTokens, TokenUsage, ToolCounts

# A link into the code interpreter's sandbox means nothing in Telegram: keep its text only.
SANDBOX_LINK = re.compile(r"\[([^\]]*)\]\(sandbox:[^)]*\)")


class ResponseData(TypedDict, total=False):
    """The fields of a response (JSON) that a turn reads."""

    id: str
    status: str
    output: list[dict[str, Any]]
    usage: dict[str, Any] | None
    error: dict[str, Any] | None
    incomplete_details: dict[str, Any] | None
    model: str
    tool_usage: dict[str, Any] | None


def parse_response(body: bytes) -> ResponseData:
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or "id" not in data:
        raise BackendUnavailable("the server sent something other than a response")
    return cast(ResponseData, data)


def turn_result(response: ResponseData) -> TurnResult:
    status = TERMINAL_STATUS.get(response.get("status") or "", TurnStatus.FAILED)
    error = response.get("error") or {}
    incomplete = response.get("incomplete_details") or {}
    return TurnResult(
        status=status,
        text=output_text(response),
        response_id=response.get("id"),
        usage=response_usage(response),
        error_code=error.get("code"),
        incomplete_reason=incomplete.get("reason"),
        model=response.get("model"),
        citations=citations(response),
        tools_used=tools_used(response),
        artifacts=artifacts(response),
        image_tokens=image_tokens(response),
        images_refused=sum(1 for item in _image_calls(response) if item.get("status") == "failed"),
        compacted=compacted(response),
        function_calls=function_calls(response),
    )


def function_calls(response: ResponseData) -> tuple[FunctionCall, ...]:
    """The calls of the owner's functions the model made, waiting for their outputs."""
    return tuple(
        FunctionCall(str(item["call_id"]), str(item.get("name")), str(item.get("arguments") or ""))
        for item in response.get("output") or []
        if item.get("type") == "function_call" and item.get("call_id")
    )


def compacted(response: ResponseData) -> bool:
    """The server compacted the conversation before answering (`context_management`)."""
    return any(item.get("type") == "compaction" for item in response.get("output") or [])


def _image_calls(response: ResponseData) -> list[dict[str, Any]]:
    return [i for i in response.get("output") or [] if i.get("type") == "image_generation_call"]


def generated_images(response: ResponseData) -> dict[str, str]:
    """The images the response made: base64 by item id."""
    return {
        str(item["id"]): str(item["result"])
        for item in _image_calls(response)
        if item.get("result") and item.get("id")
    }


def image_tokens(response: ResponseData) -> ImageTokens | None:
    """`tool_usage.image_gen`, where the server reports it."""
    usage = (response.get("tool_usage") or {}).get("image_gen")
    if not usage:
        return None
    details = usage.get("input_tokens_details") or {}
    text = details.get("text_tokens")
    image = details.get("image_tokens") or 0
    return ImageTokens(
        text_input=(usage.get("input_tokens") or 0) - image if text is None else text,
        image_input=image,
        output=usage.get("output_tokens") or 0,
    )


def artifacts(response: ResponseData) -> tuple[Artifact, ...]:
    """The images the response made, then the files the answer cites from the code
    interpreter's container, once each."""
    found: dict[str, Artifact] = {}
    response_id = str(response.get("id"))
    for n, item in enumerate(
        (i for i in _image_calls(response) if i.get("result") and i.get("id")), start=1
    ):
        extension = str(item.get("output_format") or "png")
        found[str(item["id"])] = Artifact(
            response_id, str(item["id"]), f"image-{n}.{extension}", kind="image"
        )
    for content in _output_texts(response):
        for note in content.get("annotations") or []:
            if note.get("type") == "container_file_citation" and note.get("file_id"):
                found.setdefault(
                    str(note["file_id"]),
                    Artifact(
                        str(note.get("container_id")),
                        str(note["file_id"]),
                        str(note.get("filename") or note["file_id"]),
                    ),
                )
    return tuple(found.values())


def citations(response: ResponseData) -> tuple[tuple[str, str], ...]:
    """(title, url) of each web page the answer cites, and (file name, "") of each of the
    persona's documents; once each, in order."""
    found: dict[str, tuple[str, str]] = {}
    for content in _output_texts(response):
        for note in content.get("annotations") or []:
            if note.get("type") == "url_citation" and note.get("url"):
                url = str(note["url"])
                found.setdefault(url, (str(note.get("title") or url), url))
            elif note.get("type") == "file_citation" and note.get("file_id"):
                name = str(note.get("filename") or note["file_id"])
                found.setdefault(f"file:{note['file_id']}", (name, ""))
    return tuple(found.values())


def tools_used(response: ResponseData) -> ToolCounts | None:
    """Web searches run, the containers the code ran in (each a billed session), the images
    made, and whether the conversation was compacted first."""
    items = response.get("output") or []
    searches = sum(1 for item in items if item.get("type") == "web_search_call")
    file_searches = sum(1 for item in items if item.get("type") == "file_search_call")
    containers = {
        item.get("container_id") for item in items if item.get("type") == "code_interpreter_call"
    }
    images = sum(1 for item in _image_calls(response) if item.get("result"))
    compactions = int(compacted(response))
    if not any((searches, containers, images, compactions, file_searches)):
        return None
    return ToolCounts(
        web_searches=searches,
        containers=len(containers),
        images=images,
        compactions=compactions,
        file_searches=file_searches,
    )


def _output_texts(response: ResponseData) -> list[dict[str, Any]]:
    return [
        content
        for item in response.get("output") or []
        if item.get("type") == "message"
        for content in item.get("content") or []
        if content.get("type") == "output_text"
    ]


def output_text(response: ResponseData) -> str:
    """The answer's text, as the SDK's `Response.output_text` joins it (sandbox links made
    plain text)."""
    return plain_sandbox_links(
        "".join(content.get("text") or "" for content in _output_texts(response))
    )


def plain_sandbox_links(text: str) -> str:
    """Links into the code's sandbox as their text only: Telegram users cannot open them."""
    return SANDBOX_LINK.sub(r"\1", text) if "sandbox:" in text else text


def response_usage(response: ResponseData) -> TokenUsage | None:
    usage = response.get("usage")
    if not usage:
        return None
    return TokenUsage(
        input_tokens=usage.get("input_tokens") or 0,
        output_tokens=usage.get("output_tokens") or 0,
        cached_tokens=(usage.get("input_tokens_details") or {}).get("cached_tokens") or 0,
        cache_write_tokens=(
            (usage.get("input_tokens_details") or {}).get("cache_write_tokens") or 0
        ),
        reasoning_tokens=(usage.get("output_tokens_details") or {}).get("reasoning_tokens") or 0,
    )
