"""Who is asking: a web session, opened by a spent `/web` link (a cookie) or by a Mini App's
checked launch (a token the page keeps in memory and sends in a header).

Sessions are kept in the database (hashed), so any process of the bot serves any page. A form
sent with the cookie must carry the session's CSRF token (derived from the session, so nothing
more is kept); one sent with the header needs none (no other site can make a browser send it).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

from bot.texts.languages import Language
from bot.web.login_links import new_token, token_hash
from storage import SignedIn
from storage.coordination import WebLogins

COOKIE = "telethread_session"
BROWSER_SECONDS = 7 * 86400  # a browser stays signed in a week (or until `/web logout`)
MINI_APP_SECONDS = 12 * 3600  # a Mini App's launch is good for the day's use
CSRF_HEADER = "X-CSRF-Token"

Role = Literal["owner", "member", "stranger"]


@dataclass(frozen=True, slots=True)
class Visitor:
    user_id: int
    role: Role
    csrf: str  # what forms sent with the cookie carry
    by_cookie: bool
    language: Language  # of their private chat (/language), else the bot's default


def csrf_of(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"csrf", hashlib.sha256).hexdigest()[:32]


async def open_session(logins: WebLogins, signed: SignedIn, seconds: float) -> str:
    """A new session for a person: its token (only its hash is kept)."""
    token = new_token()
    await logins.start_session(token_hash(token), signed, seconds)
    return token


def session_token(request: web.Request) -> tuple[str, bool] | None:
    """The session token the request carries, and whether by the cookie."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip(), False
    cookie = request.cookies.get(COOKIE)
    return (cookie, True) if cookie else None


def set_cookie(response: web.StreamResponse, token: str, *, secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=BROWSER_SECONDS,
        httponly=True,
        samesite="Strict",
        secure=secure,
        path="/",
    )


def csrf_ok(request: web.Request, visitor: Visitor) -> bool:
    """A state-changing request is the page's own: by the header, or with the CSRF token."""
    if not visitor.by_cookie:
        return True
    given = request.headers.get(CSRF_HEADER, "")
    return hmac.compare_digest(given.encode(), visitor.csrf.encode())
