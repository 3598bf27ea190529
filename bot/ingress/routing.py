"""What the webhook needs to know of an update before keeping it: its id, and its chat.

Pure: the body is read as JSON and nothing else is trusted. An update of no chat (an inline
query, a poll's answer) belongs to chat 0."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def chat_of(update: Mapping[str, Any]) -> int:
    """The chat an update is about: a message's, a button's message's, a membership's."""
    for kind, value in update.items():
        if kind == "update_id" or not isinstance(value, Mapping):
            continue
        chat = value.get("chat")
        if chat is None and isinstance(value.get("message"), Mapping):
            chat = value["message"].get("chat")  # a callback query
        if isinstance(chat, Mapping) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return 0


def read_update(body: bytes) -> tuple[int, int, str] | None:
    """(update id, chat id, the body as text), or None if this is not an update."""
    try:
        text = body.decode("utf-8")
        update = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(update, dict):
        return None
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return None
    return update_id, chat_of(update), text
