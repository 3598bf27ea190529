"""Who opened the Mini App: Telegram's `initData`, checked with the bot's own token.

Telegram signs the Mini App's launch parameters (core.telegram.org/bots/webapps, "Validating data
received via the Mini App"): every field but `hash`, sorted by key and joined as `key=value`
lines, HMAC-SHA256'd with a key that is itself HMAC-SHA256("WebAppData", bot token). Details
that implementations got wrong (../shared/research/web.md):
- every field takes part, whatever it is — an allow-list of fields broke validation for years
  (clients differ: iOS sends `chat_instance`/`chat_type` and no `query_id`), and `signature`
  (Bot API 8's Ed25519 field, for services without the token) stays in for this check;
- values are compared exactly as received, once URL-decoded (`photo_url` carries escaped slashes);
- the hash is compared in constant time;
- `auth_date` must be recent: a copied launch link must not open the app for ever.

Pure: no clock of its own (`now` is passed), no I/O; the web server turns a refusal into 401.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

FRESH_SECONDS = 3600  # an initData older than this is refused (the app is reopened for a new one)
CLOCK_SKEW_SECONDS = (
    60  # a launch "from the future" by less than this is Telegram's clock, not forgery
)


class InitDataRefused(Exception):
    """The launch parameters are not Telegram's for this bot, or too old: says which, for the log
    (never shown with the data itself)."""


@dataclass(frozen=True)
class MiniAppUser:
    """The Telegram account that opened the Mini App, as Telegram signed it."""

    user_id: int
    first_name: str
    username: str | None
    language_code: str | None
    auth_date: int
    chat_type: str | None  # where it was opened from: "sender" (a private chat), "group"…


def check_init_data(init_data: str, bot_token: str, now: float) -> MiniAppUser:
    """The user the launch parameters name, if Telegram signed them for this bot lately;
    else InitDataRefused."""
    fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=False))
    received = fields.pop("hash", "")
    if not received:
        raise InitDataRefused("no hash")
    check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received.lower()):
        raise InitDataRefused("the hash does not match (not signed for this bot, or altered)")
    try:
        auth_date = int(fields["auth_date"])
    except (KeyError, ValueError) as exc:
        raise InitDataRefused("no auth_date") from exc
    if now - auth_date > FRESH_SECONDS:
        raise InitDataRefused(f"signed {now - auth_date:.0f} s ago: too old")
    if auth_date - now > CLOCK_SKEW_SECONDS:
        raise InitDataRefused("signed in the future")
    return _user(fields, auth_date)


def _user(fields: dict[str, str], auth_date: int) -> MiniAppUser:
    try:
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError) as exc:
        raise InitDataRefused("no user in the launch parameters") from exc
    return MiniAppUser(
        user_id=user_id,
        first_name=str(user.get("first_name") or ""),
        username=user.get("username") or None,
        language_code=user.get("language_code") or None,
        auth_date=auth_date,
        chat_type=fields.get("chat_type"),
    )
