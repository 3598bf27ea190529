"""The shapes of the web side's answers: a page, a JSON line for the script, a refusal."""

from __future__ import annotations

import json

from aiohttp import web


def html(text: str, status: int = 200, *, cache: bool = True) -> web.Response:
    headers = {} if cache else {"Cache-Control": "no-store"}
    return web.Response(text=text, status=status, content_type="text/html", headers=headers)


def said(message: str, status: int = 200, **more: object) -> web.Response:
    """What the page's script shows the person (`message`), and anything else it needs."""
    return web.json_response({"message": message, **more}, status=status)


def refused(status: int, message: str) -> web.HTTPException:
    """Raised: 401 (no session), 403 (not for this person), 404."""
    kind = {401: web.HTTPUnauthorized, 403: web.HTTPForbidden, 404: web.HTTPNotFound}[status]
    return kind(text=json.dumps({"message": message}), content_type="application/json")
