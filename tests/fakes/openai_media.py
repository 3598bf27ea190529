"""What the fake model sees besides text: image and file parts of each API, validated against
OpenAI's OpenAPI spec (the content-part schemas copied from ../shared/specs/openai-openapi.json into
tests/specs, so a clean clone has them) and decoded to their bytes.

An invalid part gets the 400 the real API gives; a data URL whose bytes are not the image
format it claims gets `invalid_image_format`, as OpenAI checks the bytes, not the label.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parents[1] / "specs" / "openai-content-parts.json"
MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG",),
    "image/gif": (b"GIF8",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}
# Responses content part type → the spec's schema for it.
RESPONSES_PARTS = {
    "input_text": "InputTextContent",
    "input_image": "InputImageContent",
    "input_file": "InputFileContent",
}


@dataclass(frozen=True)
class SeenMedia:
    kind: str  # "image" | "file"
    mime: str
    data: bytes
    filename: str | None = None
    detail: str | None = None


class InvalidMedia(ValueError):
    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.param = param
        self.code = code


@functools.cache
def _schemas() -> dict[str, Any]:
    components: dict[str, Any] = json.loads(SPEC.read_text())["schemas"]
    return components


def check_against_spec(value: Any, schema: dict[str, Any], where: str) -> None:
    """A small validator for the shapes content parts use: objects, required keys, enums,
    strings, $ref and anyOf (enough to catch a missing `detail` or a misspelt enum)."""
    if "$ref" in schema:
        check_against_spec(value, _schemas()[schema["$ref"].rsplit("/", 1)[1]], where)
        return
    if "anyOf" in schema:
        problems = []
        for option in schema["anyOf"]:
            try:
                check_against_spec(value, option, where)
                return
            except InvalidMedia as exc:
                problems.append(str(exc))
        raise InvalidMedia(f"Invalid value for '{where}': {problems[0]}", param=where)
    kind = schema.get("type")
    if kind == "null":
        if value is not None:
            raise InvalidMedia(f"'{where}' must be null", param=where)
        return
    if kind == "string" and not isinstance(value, str):
        raise InvalidMedia(f"Invalid type for '{where}': expected a string.", param=where)
    if "enum" in schema and value not in schema["enum"]:
        raise InvalidMedia(
            f"Invalid value: '{value}'. Supported values are: "
            + ", ".join(f"'{v}'" for v in schema["enum"])
            + ".",
            param=where,
        )
    if kind == "object":
        if not isinstance(value, dict):
            raise InvalidMedia(f"Invalid type for '{where}': expected an object.", param=where)
        for name in schema.get("required", []):
            if name not in value:
                raise InvalidMedia(f"Missing required parameter: '{where}.{name}'.", param=where)
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name not in properties:
                raise InvalidMedia(f"Unknown parameter: '{where}.{name}'.", param=f"{where}.{name}")
            check_against_spec(item, properties[name], f"{where}.{name}")


def decode_data_url(url: str, where: str, *, kind: str) -> tuple[str, bytes]:
    if not url.startswith("data:") or ";base64," not in url:
        raise InvalidMedia(f"Expected a base64-encoded data URL in '{where}'.", param=where)
    mime, _, encoded = url[5:].partition(";base64,")
    try:
        data = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise InvalidMedia(
            f"Invalid base64 {kind} in '{where}'.", param=where, code=f"invalid_base64_{kind}"
        ) from exc
    signatures = MAGIC.get(mime)
    if kind == "image" and signatures is None:
        raise InvalidMedia(
            f"Invalid MIME type {mime!r}: supported are image/jpeg, image/png, image/gif"
            " and image/webp.",
            param=where,
            code="unsupported_image_media_type",
        )
    if signatures is not None and not data.startswith(signatures):
        raise InvalidMedia(
            f"The {kind} data in '{where}' is not a valid {mime}.",
            param=where,
            code=f"invalid_{kind}_format",
        )
    return mime, data


def uploaded(file_id: str, files: dict[str, bytes], where: str, *, kind: str) -> tuple[str, bytes]:
    data = files.get(file_id)
    if data is None:
        raise InvalidMedia(
            f"File {file_id} not found in '{where}'.", param=where, code=f"{kind}_file_not_found"
        )
    mime = next(
        (m for m, sigs in MAGIC.items() if data.startswith(sigs)), "application/octet-stream"
    )
    return mime, data


def responses_media(input_value: Any, files: dict[str, bytes] | None = None) -> list[SeenMedia]:
    """Images and files in a Responses `input` (a string has none); `files`: uploads by id."""
    files = files or {}
    if isinstance(input_value, str) or input_value is None:
        return []
    seen: list[SeenMedia] = []
    for i, item in enumerate(input_value):
        content = item.get("content")
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            where = f"input[{i}].content[{j}]"
            schema = RESPONSES_PARTS.get(part.get("type"))
            if schema is None:
                raise InvalidMedia(f"Invalid value: '{part.get('type')}' in '{where}.type'.")
            check_against_spec(part, _schemas()[schema], where)
            if part["type"] == "input_image":
                if not part.get("image_url") and not part.get("file_id"):
                    raise InvalidMedia(f"'{where}' needs image_url or file_id.", param=where)
                if part.get("file_id"):
                    mime, data = uploaded(part["file_id"], files, where, kind="image")
                else:
                    mime, data = decode_data_url(
                        part["image_url"], f"{where}.image_url", kind="image"
                    )
                seen.append(SeenMedia("image", mime, data, detail=part["detail"]))
            elif part["type"] == "input_file":
                if not any(part.get(k) for k in ("file_id", "file_data", "file_url")):
                    raise InvalidMedia(
                        f"'{where}' needs one of file_id, file_data or file_url.", param=where
                    )
                if not part.get("filename") and part.get("file_data"):
                    raise InvalidMedia(f"'{where}.filename' is required with file_data.")
                if part.get("file_id"):
                    mime, data = uploaded(part["file_id"], files, where, kind="file")
                else:
                    mime, data = decode_data_url(
                        part["file_data"], f"{where}.file_data", kind="file"
                    )
                seen.append(SeenMedia("file", mime, data, part.get("filename"), part.get("detail")))
    return seen


def chat_media(content: Any, where: str) -> list[SeenMedia]:
    """Images in a Chat Completions user message's content parts."""
    if not isinstance(content, list):
        return []
    seen = []
    for j, part in enumerate(content):
        if part.get("type") == "text":
            continue
        if part.get("type") != "image_url":
            raise InvalidMedia(f"Invalid content type '{part.get('type')}' in '{where}[{j}]'.")
        image = part.get("image_url") or {}
        if image.get("detail") not in (None, "auto", "low", "high", "original"):
            raise InvalidMedia(f"Invalid value for '{where}[{j}].image_url.detail'.")
        mime, data = decode_data_url(
            image.get("url", ""), f"{where}[{j}].image_url.url", kind="image"
        )
        seen.append(SeenMedia("image", mime, data, detail=image.get("detail")))
    return seen
