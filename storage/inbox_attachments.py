"""Attachments as the inbox keeps them: a JSON list of Telegram file descriptions."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from storage.records import Attachment

_FIELDS = frozenset(f.name for f in fields(Attachment))


def attachments_json(attachments: tuple[Attachment, ...]) -> str | None:
    if not attachments:
        return None
    return json.dumps([_compact(asdict(a)) for a in attachments], ensure_ascii=False)


def attachments_from(raw: str | None) -> tuple[Attachment, ...]:
    """The stored list; keys a later version added and this one does not know are ignored."""
    if not raw:
        return ()
    items: list[dict[str, Any]] = json.loads(raw)
    return tuple(Attachment(**{k: v for k, v in item.items() if k in _FIELDS}) for item in items)


def _compact(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None}
