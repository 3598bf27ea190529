"""Fake Files API (uploads for the legacy Assistants' vision) and audio transcriptions.

Both take multipart bodies, parsed by the server into `Upload`s. Transcription reads the words
and the length of the Ogg/Opus it is sent (tests/media_samples.py) and refuses `.oga`, as the
newer models do ("Unsupported file format oga"); whisper-1 still takes it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.openai_model import FakeModel, error_body
from tests.fakes.routing import ApiCall, Route
from tests.media_samples import read_ogg_opus

ACCEPTED = ("flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm")
MAX_AUDIO = 25 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class Transcription:
    model: str
    filename: str
    content_type: str
    seconds: float
    text: str
    language: str | None
    started_at: float = 0.0  # monotonic: when the request arrived, and was answered
    finished_at: float = 0.0


class FilesAPI:
    def __init__(self, model: FakeModel) -> None:
        self.model = model
        self.files: dict[str, dict[str, Any]] = {}  # live uploads, by id
        self.contents: dict[str, bytes] = {}
        self.deleted_files: list[str] = []
        self.transcriptions: list[Transcription] = []

    def routes(self) -> list[Route]:
        return [
            Route("POST", r"/files", self._upload),
            Route("GET", r"/files/(?P<id>[^/]+)", self._get),
            Route("DELETE", r"/files/(?P<id>[^/]+)", self._delete),
            Route("GET", r"/files/(?P<id>[^/]+)/content", self._content),
            Route("POST", r"/audio/transcriptions", self._transcribe),
        ]

    async def _upload(self, call: ApiCall) -> web.Response:
        upload = call.body.get("file")
        purpose = call.body.get("purpose")
        if not isinstance(upload, Upload) or purpose not in (
            "assistants", "vision", "user_data", "batch", "fine-tune", "evals",
        ):  # fmt: skip
            return web.json_response(error_body("Invalid file upload", param="file"), status=400)
        file_id = self.model.new_id("file")
        record = {
            "id": file_id,
            "object": "file",
            "bytes": len(upload.data),
            "created_at": int(time.time()),
            "filename": upload.filename,
            "purpose": purpose,
            "status": "processed",
            "expires_at": None,
        }
        self.files[file_id] = record
        self.contents[file_id] = upload.data
        return web.json_response(record)

    def add_output(self, filename: str, data: bytes) -> str:
        """A file the model's code wrote (the legacy code interpreter's output): its id."""
        file_id = self.model.new_id("file")
        self.files[file_id] = {
            "id": file_id, "object": "file", "bytes": len(data), "created_at": int(time.time()),
            "filename": f"/mnt/data/{filename}", "purpose": "assistants_output",
            "status": "processed", "expires_at": None,
        }  # fmt: skip
        self.contents[file_id] = data
        return file_id

    async def _content(self, call: ApiCall) -> web.Response:
        data = self.contents.get(call.ids["id"])
        if data is None:
            return _no_file(call.ids["id"])
        return web.Response(body=data, content_type="application/octet-stream")

    async def _get(self, call: ApiCall) -> web.Response:
        record = self.files.get(call.ids["id"])
        if record is None:
            return _no_file(call.ids["id"])
        return web.json_response(record)

    async def _delete(self, call: ApiCall) -> web.Response:
        if self.files.pop(call.ids["id"], None) is None:
            return _no_file(call.ids["id"])
        self.contents.pop(call.ids["id"], None)
        self.deleted_files.append(call.ids["id"])
        return web.json_response({"id": call.ids["id"], "object": "file", "deleted": True})

    async def _transcribe(self, call: ApiCall) -> web.Response:
        started = call.received_at
        upload, model = call.body.get("file"), str(call.body.get("model", ""))
        if not isinstance(upload, Upload) or not model:
            return web.json_response(
                error_body("You must provide a file and a model.", param="file"), status=400
            )
        extension = upload.filename.rpartition(".")[2].lower() if "." in upload.filename else ""
        if extension not in ACCEPTED and not (model == "whisper-1" and extension == "oga"):
            return web.json_response(
                error_body(
                    f"Unsupported file format {extension or 'unknown'}",
                    param="file",
                    code="unsupported_value",
                ),
                status=400,
            )
        if len(upload.data) > MAX_AUDIO:
            return web.json_response(
                error_body("Maximum content size limit (26214400) exceeded.", param="file"),
                status=413,
            )
        try:
            text, seconds = read_ogg_opus(upload.data)
        except ValueError:
            return web.json_response(
                error_body(
                    "Audio file might be corrupted or unsupported",
                    param="file",
                    code="invalid_value",
                ),
                status=400,
            )
        self.transcriptions.append(
            Transcription(
                model,
                upload.filename,
                upload.content_type,
                seconds,
                text,
                call.body.get("language"),
                started,
                time.monotonic(),
            )
        )
        return web.json_response(
            {"text": text, "usage": {"type": "duration", "seconds": round(seconds)}}
        )


def _no_file(file_id: str) -> web.Response:
    return web.json_response(error_body(f"No such File object: {file_id}", param="id"), status=404)
