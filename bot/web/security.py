"""What every web response carries: a strict Content-Security-Policy (scripts only from this
server and Telegram's Mini App script; no inline script, no plugin, no other origin), no
sniffing, no referrer (a `/web` link's token must not leak to another site), and errors as a
short JSON line, never a traceback."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.web import pages
from storage import StorageUnavailable

logger = logging.getLogger(__name__)

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self' https://telegram.org",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        # Telegram's web clients show a Mini App in a frame of theirs; nobody else may.
        "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Set on every response as it is sent (streams and errors included)."""
    response.headers.update(HEADERS)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The database away: 503, try again; anything unexpected: logged, 500, no details."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except StorageUnavailable as exc:
        logger.warning("A web page could not be served: %s", exc)
        text = "The bot's database is not answering: try again in a moment."
        headers = {"Retry-After": "5"}
        if request.path.startswith("/api/"):  # the script shows the message
            return web.json_response({"message": text}, status=503, headers=headers)
        page = pages.message_page("Try again in a moment", text)  # a browser shows the page
        return web.Response(text=page, status=503, content_type="text/html", headers=headers)
    except Exception:
        logger.exception("A web page failed: %s %s", request.method, request.path)
        return web.json_response({"message": "Something went wrong."}, status=500)
