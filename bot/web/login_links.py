"""The single-use links `/web` sends for opening the web pages in a browser, without a password.

The token is 256 random bits, URL-safe; only its SHA-256 is stored (a leaked copy of the
database opens nobody's pages) and it is spent by one POST, never by a GET: Telegram's link
preview, a chat app's crawler or a browser's prefetch must not spend it (the GET shows a button).
"""

from __future__ import annotations

import hashlib
import secrets

LINK_SECONDS = 600  # a link lapses after ten minutes


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token (and is asked with)."""
    return hashlib.sha256(token.encode()).hexdigest()
