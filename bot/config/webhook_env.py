"""WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN, WEBHOOK_MAX_CONNECTIONS and LEASE_SECONDS:
Telegram pushing updates to the bot instead of the bot polling, and how processes share it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bot.config.env_reader import EnvReader
from bot.config.fields import default

SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")  # Telegram takes 1 to 256 of these; we ask for 16+
TELEGRAM_PORTS = (443, 80, 88, 8443)  # the only ports Telegram posts to
MIN_LEASE = 2.0  # shorter leases are lost to an ordinary pause of a busy host


def read_webhook(read: EnvReader, *, own_bot_api: bool) -> dict[str, Any]:
    """The Config fields of webhooks and leases. `own_bot_api`: TELEGRAM_BASE_URL names a Bot
    API server of the owner's (or the tests'), which may post to plain HTTP and any port."""
    fields: dict[str, Any] = {
        "lease_seconds": read.seconds("LEASE_SECONDS", default("lease_seconds"), minimum=MIN_LEASE)
    }
    listen = read.text("WEBHOOK_LISTEN")
    if listen is not None:
        host, colon, port = listen.rpartition(":")
        if not colon or not port.isdigit() or not 0 <= int(port) < 65536:
            read.problems.append(
                f"WEBHOOK_LISTEN must be HOST:PORT (e.g. 0.0.0.0:8080), got {listen!r}"
            )
        else:
            fields["webhook_listen"] = (host.strip("[]") or "0.0.0.0", int(port))
    connections = read.whole("WEBHOOK_MAX_CONNECTIONS", None)
    if connections is not None:
        if connections > 100:
            read.problems.append(f"WEBHOOK_MAX_CONNECTIONS must be 1 to 100, got {connections}")
        else:
            fields["webhook_max_connections"] = connections
    url = read.text("WEBHOOK_URL")
    secret = read.text("WEBHOOK_SECRET")
    if url is None:
        return fields
    parts = urlsplit(url)
    if parts.scheme != "https" and not (own_bot_api and parts.scheme == "http"):
        read.problems.append(
            f"WEBHOOK_URL must be the bot's public https:// address (Telegram posts only to "
            f"HTTPS), got {url!r}"
        )
    elif not own_bot_api and (parts.port or 443) not in TELEGRAM_PORTS:
        read.problems.append(
            "WEBHOOK_URL's port must be one Telegram posts to (443, 80, 88 or 8443), "
            f"got {parts.port}"
        )
    if secret is None:
        read.problems.append(
            "WEBHOOK_SECRET is not set: with WEBHOOK_URL, set a fixed secret of 16 to 256 letters, "
            "digits, _ or - (e.g. the output of `openssl rand -hex 32`), the same for every process"
        )
    elif not SECRET.fullmatch(secret):
        read.problems.append(
            "WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or - (e.g. the output of "
            "`openssl rand -hex 32`)"
        )
    return {**fields, "webhook_url": url, "webhook_secret": secret}
