"""WEB_LISTEN and WEB_URL: the web pages (the Mini App, the web chat, the owner's pages).

Off unless WEB_LISTEN is set. A bare port binds 127.0.0.1 (the pages reach the world through
the owner's reverse proxy or tunnel, never by accident). WEB_URL is their public address: the
links `/web` sends and the Mini App's button point there (Telegram opens Mini Apps over HTTPS
only; a browser link may be plain HTTP on a LAN).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot.config.env_reader import EnvReader

LOCAL_HOST = "127.0.0.1"


def read_web(read: EnvReader) -> dict[str, Any]:
    """The Config fields of the web side."""
    listen = read.text("WEB_LISTEN")
    url = read.text("WEB_URL")
    if listen is None:
        if url is not None:
            read.problems.append("WEB_URL is set but WEB_LISTEN is not: set both (e.g. 8081)")
        return {}
    host, colon, port = listen.rpartition(":")
    if not port.isdigit() or not 0 <= int(port) < 65536:
        read.problems.append(f"WEB_LISTEN must be PORT or HOST:PORT (e.g. 8081), got {listen!r}")
        return {}
    fields: dict[str, Any] = {"web_listen": ((host.strip("[]") if colon else "") or LOCAL_HOST,
                                             int(port))}  # fmt: skip
    if url is None:
        shown = "localhost" if fields["web_listen"][0] in (LOCAL_HOST, "0.0.0.0") else host
        fields["web_url"] = f"http://{shown}:{port}"
        return fields
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        read.problems.append(f"WEB_URL must be an http(s):// address, got {url!r}")
        return fields
    return {**fields, "web_url": url.rstrip("/")}
