"""What a tool turn leaves besides its text: the files the model's code wrote (fetched and sent
before the answer), the documents the conversation now holds (noted for the code interpreter),
and the note that the code's sandbox was replaced."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.backends import Artifact, BackendError, FilePart, TurnStatus
from bot.engine.ports import ReplyChannel
from bot.media.kinds import for_code
from bot.media.reader import MediaReader
from bot.texts import Texts, render
from storage import Attachment, InboxEntry, StorageUnavailable
from storage.repositories import Files

logger = logging.getLogger(__name__)


class ToolResults:
    def __init__(
        self,
        files: Files,
        fetch: Callable[[Artifact], Awaitable[bytes]] | None,
        media: MediaReader,
    ) -> None:
        self._media = media  # downloads the chat's files again, for a new container
        self._files = files
        self._fetch = fetch  # the backend's: files the model's code wrote

    async def send_files(
        self,
        entry: InboxEntry,
        files: tuple[Artifact, ...],
        channel: ReplyChannel,
        texts: Texts,
        caption: str = "",
        note: str = "",
    ) -> bool:
        """Fetch what the code wrote (while its container lives) and send it, the answer as
        the caption where it fits one (True if so); a file that is gone is said, the others
        still sent."""
        fetched: list[tuple[str, bytes]] = []
        for artifact in files:
            try:
                if self._fetch is None:
                    raise BackendError("no way to fetch files")
                fetched.append((artifact.filename, await self._fetch(artifact)))
            except BackendError as exc:
                logger.warning("File %s of chat %s is gone: %s", artifact.file_id, entry.key, exc)
                await channel.send_notice(render(texts.artifact_gone, name=artifact.filename))
        if not fetched:
            return False
        captioned = await channel.send_files(fetched, caption, note)
        logger.info("Sent %d files the model made in chat %s", len(fetched), entry.key)
        return captioned

    async def note_documents(
        self, entry: InboxEntry, conversation_id: str, status: TurnStatus
    ) -> None:
        """Documents the conversation now holds, for a tool to fetch again (best effort)."""
        documents = tuple(a for a in entry.attachments if a.kind in ("pdf", "text", "data"))
        if not documents or status not in (TurnStatus.COMPLETED, TurnStatus.INCOMPLETE):
            return
        try:
            await self._files.chat_files_added(entry.key, conversation_id, documents)
        except StorageUnavailable as exc:
            logger.warning("Documents of chat %s not noted: %s", entry.key, exc)

    async def earlier_data(self, entry: InboxEntry, conversation_id: str) -> tuple[FilePart, ...]:
        """The data files sent before this message, downloaded again (for a new container)."""
        return await self._media.for_code_again(await self._earlier(entry, conversation_id))

    async def lost_in_new_container(
        self, entry: InboxEntry, conversation_id: str, restored: tuple[str, ...]
    ) -> bool:
        """The sandbox expired and was replaced, and data files sent before this message could
        not all be put back in it (the user is to send them again)."""
        return any(
            for_code(a.filename, a.kind) and a.filename not in restored
            for a in await self._earlier(entry, conversation_id)
        )

    async def _earlier(self, entry: InboxEntry, conversation_id: str) -> list[Attachment]:
        return [
            a
            for a in await self._files.chat_files(entry.key, conversation_id)
            if a.message_id != entry.message_id
        ]
