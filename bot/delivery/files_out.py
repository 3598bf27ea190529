"""Sending the files the model made: images as photos (several as one album, at most ten to an
album), other files and images too big for a photo as documents. Each goes through the same
pacing as text (an album counts as as many messages as it has items: see rate_limiter)."""

from __future__ import annotations

from pathlib import PurePosixPath

from telegram import InputMediaPhoto, Message, ReplyParameters

from bot.delivery.sender import MessageSender

PHOTO_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"})
PHOTO_MAX = 10_000_000  # bytes: Telegram's limit for a photo; bigger images go as documents
ALBUM_MAX = 10  # items in one sendMediaGroup


def is_photo(name: str, data: bytes) -> bool:
    return PurePosixPath(name.lower()).suffix in PHOTO_SUFFIXES and len(data) <= PHOTO_MAX


async def send_files(sender: MessageSender, files: list[tuple[str, bytes]]) -> None:
    photos = [(n, d) for n, d in files if is_photo(n, d)]
    documents = [(n, d) for n, d in files if not is_photo(n, d)]
    bot, chat, topic = sender.bot, sender.chat_id, sender.topic_id
    what = f"Files to chat {chat}"
    for start in range(0, len(photos), ALBUM_MAX):
        chunk = photos[start : start + ALBUM_MAX]
        if len(chunk) == 1:
            [(name, data)] = chunk

            async def photo(
                reply: ReplyParameters | None, n: str = name, d: bytes = data
            ) -> Message:
                return await bot.send_photo(
                    chat, d, filename=n, message_thread_id=topic, reply_parameters=reply
                )

            await sender.deliver(photo, what)
            continue

        async def album(
            reply: ReplyParameters | None, items: list[tuple[str, bytes]] = chunk
        ) -> tuple[Message, ...]:
            media = [InputMediaPhoto(media=d, filename=n) for n, d in items]
            return await bot.send_media_group(
                chat, media, message_thread_id=topic, reply_parameters=reply
            )

        await sender.deliver(album, what)
    for name, data in documents:

        async def document(
            reply: ReplyParameters | None, n: str = name, d: bytes = data
        ) -> Message:
            return await bot.send_document(
                chat, d, filename=n, message_thread_id=topic, reply_parameters=reply
            )

        await sender.deliver(document, what)
