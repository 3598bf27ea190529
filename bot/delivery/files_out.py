"""Sending the files the model made: images as photos (several as one album, at most ten to an
album), other files and images too big for a photo as documents, the answer as the first one's
caption when it fits. Each goes through the same pacing as text (an album counts as as many
messages as it has items: see rate_limiter)."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import PurePosixPath
from typing import Literal

from telegram import InputMediaPhoto, Message, ReplyParameters
from telegram.error import BadRequest

from bot.delivery.sender import MessageSender, with_plain_fallback
from bot.rendering.markdown import MessagePart

logger = logging.getLogger(__name__)

PARTLY_SENT = re.compile(r"failed to send message #(?P<item>\d+).*retry after (?P<wait>\d+)", re.I)
# Telegram will not take it as a photo (too long or wide, too big, unreadable): a document then.
# (PTB hands the description over as "Photo_invalid_dimensions".)
PHOTO_REFUSED = re.compile(
    r"photo_invalid_dimensions|image_process_failed|photo_ext_invalid", re.IGNORECASE
)
PHOTO_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"})
PHOTO_MAX = 10_000_000  # bytes: Telegram's limit for a photo; bigger images go as documents
ALBUM_MAX = 10  # items in one sendMediaGroup


def is_photo(name: str, data: bytes) -> bool:
    return PurePosixPath(name.lower()).suffix in PHOTO_SUFFIXES and len(data) <= PHOTO_MAX


async def send_files(
    sender: MessageSender, files: list[tuple[str, bytes]], caption: MessagePart | None = None
) -> None:
    """Photos first (albums of up to ten), then documents; `caption` on the first of them."""
    photos = [(n, d) for n, d in files if is_photo(n, d)]
    documents = [(n, d) for n, d in files if not is_photo(n, d)]
    what = f"Files to chat {sender.chat_id}"
    for start in range(0, len(photos), ALBUM_MAX):
        await _send_photos(sender, photos[start : start + ALBUM_MAX], what, caption)
        caption = None
    for name, data in documents:
        await _send_one(sender, "document", name, data, what, caption)
        caption = None


async def _send_one(
    sender: MessageSender,
    kind: Literal["photo", "document"],
    name: str,
    data: bytes,
    what: str,
    caption: MessagePart | None,
) -> None:
    bot, chat, topic = sender.bot, sender.chat_id, sender.topic_id
    method = bot.send_photo if kind == "photo" else bot.send_document

    async def send(reply: ReplyParameters | None) -> Message:
        async def send_as(text: str | None, parse_mode: str | None) -> Message:
            return await method(
                chat, data, filename=name, caption=text, parse_mode=parse_mode,
                message_thread_id=topic, reply_parameters=reply,
            )  # fmt: skip

        if caption is None:
            return await send_as(None, None)
        return await with_plain_fallback(send_as, caption, chat)

    try:
        await sender.deliver(send, what)
    except BadRequest as exc:
        if kind != "photo" or not PHOTO_REFUSED.search(exc.message):
            raise
        logger.info("Telegram refused %s as a photo (%s): sent as a document", name, exc.message)
        await _send_one(sender, "document", name, data, what, caption)


async def _send_photos(
    sender: MessageSender,
    items: list[tuple[str, bytes]],
    what: str,
    caption: MessagePart | None = None,
) -> None:
    """One photo, or an album (`caption` on its first item); if Telegram throttles an album
    midway (a 400 "failed to send message #N … retry after S", not a 429: the items before N
    were sent), the rest is sent after the wait."""
    bot, chat, topic = sender.bot, sender.chat_id, sender.topic_id
    remaining = items
    for _ in range(ALBUM_MAX):
        if len(remaining) == 1:  # an album needs two items: the last one goes as a photo
            [(name, data)] = remaining
            await _send_one(sender, "photo", name, data, what, caption)
            return

        async def album(
            reply: ReplyParameters | None,
            chunk: list[tuple[str, bytes]] = remaining,
            first: MessagePart | None = caption,
        ) -> tuple[Message, ...]:
            async def send_as(text: str | None, parse_mode: str | None) -> tuple[Message, ...]:
                media = [
                    InputMediaPhoto(media=d, filename=n, caption=text, parse_mode=parse_mode)
                    if i == 0
                    else InputMediaPhoto(media=d, filename=n)
                    for i, (n, d) in enumerate(chunk)
                ]
                return await bot.send_media_group(
                    chat, media, message_thread_id=topic, reply_parameters=reply
                )

            if first is None:
                return await send_as(None, None)
            return await with_plain_fallback(send_as, first, chat)

        try:
            await sender.deliver(album, what)
            return
        except BadRequest as exc:
            refused = PARTLY_SENT.search(exc.message)
            if refused is None and PHOTO_REFUSED.search(exc.message):
                # One of them is no photo to Telegram: each on its own (that one as a file).
                for n, (name, data) in enumerate(remaining):
                    await _send_one(sender, "photo", name, data, what, caption if n == 0 else None)
                return
            if refused is None:
                raise
            first_unsent, wait = int(refused["item"]), int(refused["wait"])
            logger.warning(
                "Album to chat %s throttled at item %d: the rest in %d s", chat, first_unsent, wait
            )
            await asyncio.sleep(wait)
            if first_unsent > 1:
                caption = None  # it went with the first item
            remaining = remaining[max(0, first_unsent - 1) :]
