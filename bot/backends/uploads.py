"""Files the bot uploads to the model's server, the code interpreter's containers and the
responses holding images the model drew: each
registered per conversation as soon as it exists and deleted with the conversation (/reset,
/persona, retention), so nothing of a user's is left behind."""

from __future__ import annotations

import logging

import openai
from openai.types import FilePurpose

from bot.backends.backend_errors import (
    BackendError,
    ConversationNotFound,
)
from bot.backends.openai_calls import translated
from storage.repositories import Files

logger = logging.getLogger(__name__)


async def upload(
    client: openai.AsyncOpenAI,
    files: Files,
    backend: str,
    conversation_id: str,
    file: tuple[str, bytes, str],
    purpose: FilePurpose,
) -> str:
    """Upload (multipart: the bytes as they are) and register; returns the file's id."""
    with translated():
        uploaded = await client.files.create(file=file, purpose=purpose)
    await files.added(backend, conversation_id, uploaded.id)
    logger.info("Uploaded %s (%d bytes) for %s", uploaded.id, len(file[1]), conversation_id)
    return uploaded.id


async def delete_uploads(
    client: openai.AsyncOpenAI, files: Files, backend: str, conversation_id: str
) -> None:
    """Delete the conversation's uploads and containers; one that fails stays registered (and
    is logged)."""
    for file_id, kind in await files.of(backend, conversation_id):
        try:
            with translated():
                if kind == "container":
                    await client.containers.delete(file_id)
                elif kind == "response":  # one holding images it drew
                    await client.responses.delete(file_id)
                else:
                    await client.files.delete(file_id)
        except ConversationNotFound:
            pass  # already gone
        except BackendError as exc:
            logger.warning("Could not delete uploaded file %s: %s", file_id, exc)
            continue
        await files.deleted(backend, file_id)
