"""A fake Telegram Bot API server on 127.0.0.1, speaking the real wire format.

It serves `/bot<token>/<method>` like api.telegram.org: form-encoded or JSON parameters in, the
`{"ok": …, "result": …}` envelope out, with Telegram's error descriptions (429 with
`parameters.retry_after`, "can't parse entities", "message is too long", …). It validates Telegram
HTML as strictly as the real service, records every call, and lets tests push updates, inject
faults and await what the bot does — without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

from tests.fakes.loopback import LoopbackServer
from tests.fakes.telegram_push import Webhook, push_forever

BOT_ID = 7000000001
BOT_USERNAME = "telethread_test_bot"
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "blockquote", "tg-spoiler", "span", "tg-emoji",
}  # fmt: skip
JSON_PARAMS = {
    "chat_id", "message_id", "message_thread_id", "offset", "limit", "timeout", "draft_id",
    "reply_parameters", "reply_markup", "commands", "scope", "allowed_updates", "entities",
    "link_preview_options", "disable_notification", "show_alert", "reaction", "can_stop",
    "media", "menu_button",
}  # fmt: skip
MEDIA_SENDS = ("sendPhoto", "sendDocument", "sendMediaGroup")
PHOTO_UPLOAD_CAP = 10 * 1024 * 1024  # sendPhoto's limit
CAPTION_CAP = 1024


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    ok: bool = True
    result: Any = None


@dataclass
class Draft:
    chat_id: int
    draft_id: int
    text: str  # as the user sees it
    at: float


@dataclass
class FloodRules:
    """Telegram's flood limits as the fake enforces them: the evidence in the bot's rate limiter,
    with a little of Telegram's slack. Windows are (requests, seconds) in any such span; buckets
    are (burst, seconds per request), counted on arrival as Telegram does."""

    overall: tuple[int, float] = (30, 0.95)  # messages to any chat, and questions about chats
    # Chat actions and drafts: their own limit (the bot's default assumption); None: they count
    # toward `overall` (the bot's TELEGRAM_ACTIONS_SHARE_LIMIT=true).
    actions: tuple[int, float] | None = (30, 0.95)
    chat_bucket: tuple[int, float] = (5, 0.95)  # messages and edits to one chat
    group_window: tuple[int, float] = (20, 57.0)  # and in a group, also these two
    group_short: tuple[int, float] = (5, 4.75)
    action_methods: frozenset[str] = frozenset({"sendChatAction", "sendMessageDraft"})
    query_prefixes: tuple[str, ...] = ("get", "leaveChat")


@dataclass
class Fault:
    method: str
    status: int
    description: str
    parameters: dict[str, Any] | None = None
    count: int = 1
    when: Callable[[dict[str, Any]], bool] | None = None


class TelegramHTMLError(ValueError):
    pass


class _StrictTelegramHTML(HTMLParser):
    """Parses Telegram HTML, raising the description Telegram would give on bad markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise TelegramHTMLError(f'Unsupported start tag "{tag}"')
        if tag == "a" and not any(k == "href" for k, _ in attrs):
            raise TelegramHTMLError('Tag "a" must have attribute "href"')
        if tag == "blockquote" and tag in self.stack:
            # The Bot API's formatting rules: "blockquote ... entities can't be nested".
            raise TelegramHTMLError("Blockquote entities can't be nested")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise TelegramHTMLError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise TelegramHTMLError("Unexpected character '<'")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        known = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
        if name not in known:
            raise TelegramHTMLError(f'Unsupported HTML entity "&{name};"')
        self.text.append(known[name])

    def handle_charref(self, name: str) -> None:
        self.text.append(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))


def parse_telegram_html(text: str) -> str:
    """The visible text of a Telegram HTML message; raises TelegramHTMLError like Telegram does."""
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#[xX][0-9a-fA-F]+;)", text):
        raise TelegramHTMLError("Unsupported HTML entity starting with '&'")
    parser = _StrictTelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.rawdata:
        raise TelegramHTMLError("Unexpected end of text")
    if parser.stack:
        raise TelegramHTMLError(
            f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
        )
    return "".join(parser.text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def text_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram would attach to `text` (UTF-16 offsets)."""
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": len(command.group())})
    for match in re.finditer(r"(?<![\w@])@[A-Za-z0-9_]{5,32}", text):
        offset = utf16_len(text[: match.start()])
        entities.append({"type": "mention", "offset": offset, "length": len(match.group())})
    return entities


DOWNLOAD_CAP = 20 * 1024 * 1024  # getFile's limit for bots ("file is too big" above it)


@dataclass(frozen=True)
class Upload:
    """A file the bot sent (sendPhoto, sendDocument, an album's item)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class StoredFile:
    file_id: str
    unique_id: str
    path: str
    size: int
    data: bytes | None


@dataclass
class FakeTelegram:
    token: str = "123456:TEST-telegram-token-secret"
    calls: list[Call] = field(default_factory=list)
    commands: dict[str, list[str]] = field(default_factory=dict)  # by scope type
    # (scope type, language code or None) → [(command, description)]
    command_menus: dict[tuple[str, str | None], list[tuple[str, str]]] = field(default_factory=dict)
    # The Mini App button under the message box: per chat id, None for every private chat.
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    descriptions: dict[str | None, str] = field(default_factory=dict)  # by language code
    short_descriptions: dict[str | None, str] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)
    admins: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # chat id → users
    left_chats: list[int] = field(default_factory=list)
    flood: FloodRules | None = None  # None: no limits (tests); set by the benchmark
    flood_rejections: int = 0
    album_refused_at: int | None = None  # the next album fails at this item (1-based), as a
    # throttled album does on Telegram: a 400 naming the item and the wait
    down: bool = False  # an outage: every request gets the 502 page Telegram's front serves
    listeners: list[Callable[[Call], None]] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)  # by file_id
    files_by_path: dict[str, StoredFile] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)  # file ids, in download order
    uploads: list[tuple[int, str, Upload]] = field(default_factory=list)  # (chat, kind, file)
    webhook: Webhook | None = None  # set by setWebhook: updates are posted, not polled
    webhook_sets: int = 0  # setWebhook calls (one process of several registers it)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._file_numbers = itertools.count(1)
        self._changed = asyncio.Condition()
        self._server = LoopbackServer()
        self.confirmed_offset = 0
        self.delivered_update = 0  # the newest update a getUpdates has handed out
        self.delivered_at: dict[int, float] = {}  # update id → when first handed out
        # (file id, getFile received, download finished): the benchmark's file time.
        self.file_spans: list[tuple[str, float, float]] = []
        self._getfile_started: dict[str, float] = {}
        self._wakeups = 0
        self._windows: dict[str, list[float]] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # name → (tokens, as of when)
        self._pusher: asyncio.Task[None] | None = None
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Telethread",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    # -- server -------------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def port(self) -> int:
        return self._server.port

    async def start(self) -> None:
        await self._server.serve(
            "/bot{token}/{method}",
            self._handle,
            {"/file/bot{token}/{path:.*}": self._download},
        )

    async def _download(self, request: web.Request) -> web.Response:
        """Telegram's file server: every file as application/octet-stream, 404 if unknown."""
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        stored = self.files_by_path.get(request.match_info["path"])
        if stored is None or stored.data is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(stored.file_id)
        response = web.Response(body=stored.data, content_type="application/octet-stream")
        await response.prepare(request)
        await response.write_eof()
        started = self._getfile_started.get(stored.file_id, time.monotonic())
        self.file_spans.append((stored.file_id, started, time.monotonic()))
        return response

    async def stop(self) -> None:
        await self._stop_pushing()
        await self.wake_pollers()
        await self._server.close()

    async def _stop_pushing(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            await asyncio.gather(self._pusher, return_exceptions=True)
            self._pusher = None

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _read_params(request)
        if self.down:
            return self._bad_gateway(method, params)
        fault = self._take_fault(method, params)
        if fault is not None:
            self._record(Call(method, params, time.monotonic(), ok=False))
            return _error(fault.status, fault.description, fault.parameters)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        retry_after = self._flood_check(method, params)
        if retry_after:
            self.flood_rejections += 1
            self._record(Call(method, params, time.monotonic(), ok=False))
            return _error(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        try:
            result = await handler(params)
        except _ApiError as exc:
            self._record(Call(method, params, time.monotonic(), ok=False))
            return _error(exc.status, exc.description, exc.parameters)
        if self.down:  # went down during a long poll: its answer is lost, as on the wire
            return self._bad_gateway(method, params)
        if method != "getUpdates":
            self._record(Call(method, params, time.monotonic(), result=result))
        return web.json_response({"ok": True, "result": result})

    def _bad_gateway(self, method: str, params: dict[str, Any]) -> web.Response:
        self._record(Call(method, params, time.monotonic(), ok=False))
        page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
        return web.Response(status=502, text=page, content_type="text/html")

    def _flood_check(self, method: str, params: dict[str, Any]) -> int:
        """Seconds to wait if this request breaks a flood limit (0: it may pass)."""
        chat_id = params.get("chat_id")
        rules = self.flood
        if rules is None or not isinstance(chat_id, int):
            return 0
        now = time.monotonic()
        windows: list[tuple[str, tuple[int, float]]] = []
        buckets: list[tuple[str, tuple[int, float]]] = []
        if method in rules.action_methods:
            windows.append(("actions", rules.actions) if rules.actions else ("all", rules.overall))
        else:
            windows.append(("all", rules.overall))
            if not method.startswith(rules.query_prefixes):
                buckets.append((f"chat{chat_id}", rules.chat_bucket))
                if chat_id < 0:
                    windows.append((f"group{chat_id}", rules.group_window))
                    windows.append((f"group{chat_id} short", rules.group_short))
        # An album is as many messages as it has items, for every limit it counts against.
        cost = len(params.get("media") or ()) if method == "sendMediaGroup" else 1
        cost = max(1, cost)
        wait = 0.0
        for name, (limit, period) in windows:
            times = self._windows.setdefault(name, [])
            while times and times[0] <= now - period:
                times.pop(0)
            if times and len(times) + min(cost, limit) > limit:
                wait = max(wait, times[0] + period - now)
        levels = {}
        for name, (burst, interval) in buckets:
            level, since = self._buckets.get(name, (float(burst), now))
            levels[name] = level = min(float(burst), level + (now - since) / interval)
            need = min(cost, burst)  # a big album passes a full bucket and leaves it in debt
            if level < need:
                wait = max(wait, (need - level) * interval)
        if wait > 0:
            return max(1, int(wait + 0.999))
        for name, _ in windows:
            self._windows[name].extend([now] * cost)
        for name, _ in buckets:
            self._buckets[name] = (levels[name] - cost, now)
        return 0

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and (fault.when is None or fault.when(params)):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        for listener in self.listeners:
            listener(call)
        asyncio.get_running_loop().create_task(self._notify())

    def _notify_soon(self) -> None:
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- API methods --------------------------------------------------------------------------

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        await self._stop_pushing()
        self.webhook = None
        if str(params.get("drop_pending_updates")).lower() == "true":
            self._updates.clear()
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        if not url:
            return await self._api_deleteWebhook(params)
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        await self._stop_pushing()
        kept = self.webhook
        self.webhook = Webhook(
            url,
            None if secret is None else str(secret),
            max_connections=int(params.get("max_connections") or 40),
            allowed_updates=params.get("allowed_updates"),
            longest_wait=kept.longest_wait if kept else 2.0,
            timeout=kept.timeout if kept else 60.0,
        )
        self.webhook_sets += 1
        await self.wake_pollers()  # "Conflict: terminated by setWebhook request"
        self._pusher = asyncio.get_running_loop().create_task(
            push_forever(
                self.webhook,
                lambda: self._updates,
                self._delivered,
                self._changed,
                self._notify_soon,
            )
        )
        return True

    def _delivered(self, update: dict[str, Any]) -> None:
        with contextlib.suppress(ValueError):
            self._updates.remove(update)
        self.delivered_update = max(self.delivered_update, update["update_id"])
        self.delivered_at.setdefault(update["update_id"], time.monotonic())

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        hook = self.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error is not None:
                info["last_error_date"] = int(hook.last_error[0])
                info["last_error_message"] = hook.last_error[1]
        return info

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        scope = (params.get("scope") or {"type": "default"})["type"]
        language = params.get("language_code") or None
        commands = params.get("commands", [])
        for command in commands:
            if not 1 <= len(command["description"]) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        if language is None:
            self.commands[scope] = [c["command"] for c in commands]
        self.command_menus[(scope, language)] = [(c["command"], c["description"]) for c in commands]
        return True

    async def _api_setChatMenuButton(self, params: dict[str, Any]) -> Any:
        button = params.get("menu_button") or {"type": "default"}
        if button["type"] == "web_app" and not button["web_app"]["url"].startswith("https://"):
            raise _ApiError(400, "Bad Request: only HTTPS links are allowed")  # as Telegram says
        self.menu_buttons[params.get("chat_id")] = button
        return True

    async def _api_setMyDescription(self, params: dict[str, Any]) -> Any:
        return self._set_profile_text(self.descriptions, params, "description", 512)

    async def _api_setMyShortDescription(self, params: dict[str, Any]) -> Any:
        return self._set_profile_text(self.short_descriptions, params, "short_description", 120)

    @staticmethod
    def _set_profile_text(
        table: dict[str | None, str], params: dict[str, Any], name: str, limit: int
    ) -> bool:
        text = params.get(name) or ""
        if len(text) > limit:
            raise _ApiError(400, f"Bad Request: {name} is too long")
        table[params.get("language_code") or None] = text
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        wakeups = self._wakeups
        async with self._changed:
            while not self._updates and time.monotonic() < deadline and wakeups == self._wakeups:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        batch = self._updates[:limit]
        if batch:
            self.delivered_update = max(self.delivered_update, batch[-1]["update_id"])
            now = time.monotonic()
            for update in batch:
                self.delivered_at.setdefault(update["update_id"], now)
            asyncio.get_running_loop().create_task(self._notify())
        return batch

    async def _api_getFile(self, params: dict[str, Any]) -> Any:
        self._getfile_started[str(params.get("file_id"))] = time.monotonic()
        stored = self.files.get(str(params.get("file_id")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if stored.size > DOWNLOAD_CAP:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }

    async def _api_sendChatAction(self, params: dict[str, Any]) -> Any:
        self._chat(params)
        return True

    async def _api_sendMessageDraft(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        if chat["type"] != "private":
            raise _ApiError(400, "Bad Request: TEXTDRAFT_PEER_INVALID")
        if not int(params.get("draft_id") or 0):
            raise _ApiError(400, "Bad Request: draft_id must be non-zero")
        text = self._visible_text(params, allow_empty=True)
        self.drafts.append(Draft(chat["id"], int(params["draft_id"]), text, time.monotonic()))
        return True

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        text = self._visible_text(params)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
            message["is_topic_message"] = bool(chat.get("is_forum"))
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _upload(self, params: dict[str, Any], name: str) -> Upload:
        """A multipart file: the field itself, or one named by `attach://<field>`."""
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if not isinstance(value, web.FileField):
            raise _ApiError(400, f"Bad Request: there is no {name} in the request")
        data = value.file.read()
        return Upload(value.filename, value.content_type, data)

    def _media_message(self, params: dict[str, Any], kind: str, upload: Upload) -> dict[str, Any]:
        chat = self._chat(params)
        caption = self._visible_caption(params)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }
        stored = self.store_file(upload.data, f"{kind}s", "")
        if kind == "photo":
            if len(upload.data) > PHOTO_UPLOAD_CAP or not _photo_dimensions_ok(upload.data):
                raise _ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
            message["photo"] = [
                {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                 "width": 800, "height": 600, "file_size": stored.size}
            ]  # fmt: skip
        else:
            message["document"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_size": stored.size,
            }
        if caption:
            message["caption"] = caption
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
        self.uploads.append((int(chat["id"]), kind, upload))
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self._media_message(params, "photo", self._upload(params, "photo"))

    async def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        return self._media_message(params, "document", self._upload(params, "document"))

    async def _api_sendMediaGroup(self, params: dict[str, Any]) -> Any:
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _ApiError(400, "Bad Request: too much messages to send as an album")
        sent = []
        for n, item in enumerate(media, start=1):
            if self.album_refused_at == n:  # throttled midway: the items before it stay sent
                self.album_refused_at = None
                raise _ApiError(
                    400,
                    f"Bad Request: failed to send message #{n} with the error message "
                    '"Too Many Requests: retry after 1"',
                )
            kind = str(item.get("type"))
            # An album's items carry their own captions (the first, usually).
            sent.append(
                self._media_message(params | item, kind, self._upload(params | item, "media"))
            )
        return sent

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        message = self.messages.get((chat["id"], int(params["message_id"])))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        text = self._visible_text(params)
        if text == message["text"] and params.get("reply_markup") == message.get("reply_markup"):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message = {**message, "text": text, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        message = self.messages.get((chat["id"], int(params["message_id"])))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        if markup == message.get("reply_markup") or (not markup and "reply_markup" not in message):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message = {**message, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_getChatAdministrators(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        return [_administrator(user) for user in self.admins.get(chat["id"], [])]

    async def _api_leaveChat(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params)
        self.left_chats.append(chat["id"])
        return True

    def _chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chats.get(int(params.get("chat_id", 0)))
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return chat

    def _visible_caption(self, params: dict[str, Any]) -> str:
        """A media message's caption as users see it (entities parsed, as Telegram counts it)."""
        raw = str(params.get("caption") or "")
        caption = raw
        if raw and str(params.get("parse_mode", "")).upper() == "HTML":
            try:
                caption = parse_telegram_html(raw)
            except TelegramHTMLError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
        if utf16_len(caption) > CAPTION_CAP:
            raise _ApiError(400, "Bad Request: message caption is too long")
        return caption

    def _visible_text(self, params: dict[str, Any], *, allow_empty: bool = False) -> str:
        raw = str(params.get("text", ""))
        text = raw
        if str(params.get("parse_mode", "")).upper() == "HTML":
            try:
                text = parse_telegram_html(raw)
            except TelegramHTMLError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
        if not text.strip() and not allow_empty:
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return text

    # -- what tests use -----------------------------------------------------------------------

    def store_file(
        self, data: bytes | None, folder: str, suffix: str, *, size: int | None = None
    ) -> StoredFile:
        """A file users can send: `data` served for download (None: only its declared size,
        for files too big to keep), at a path shaped like Telegram's (`voice/file_12.oga`)."""
        number = next(self._file_numbers)
        stored = StoredFile(
            file_id=f"AgAC{number:04d}{'x' * 40}",
            unique_id=f"AQAD{number:04d}",
            path=f"{folder}/file_{number}{suffix}",
            size=size if size is not None else len(data or b""),
            data=data,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.path] = stored
        return stored

    def photo(self, data: bytes, width: int, height: int) -> list[dict[str, Any]]:
        """A `photo` field: PhotoSizes from thumbnail to full, smallest first, as Telegram
        sends them (each size its own file; the thumbnails' bytes are the same image here)."""
        sizes = []
        for scale in (0.0703125, 0.25, 0.625, 1.0):
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            stored = self.store_file(data, "photos", ".jpg")
            sizes.append(
                {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                 "file_size": stored.size, "width": w, "height": h}
            )  # fmt: skip
        return sizes

    def voice(self, data: bytes, duration: int, *, size: int | None = None) -> dict[str, Any]:
        stored = self.store_file(data, "voice", ".oga", size=size)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }

    def document(
        self,
        data: bytes | None,
        file_name: str | None,
        mime_type: str | None,
        *,
        size: int | None = None,
        declare_size: bool = True,
    ) -> dict[str, Any]:
        suffix = "." + file_name.rpartition(".")[2] if file_name and "." in file_name else ""
        stored = self.store_file(data, "documents", suffix, size=size)
        document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.unique_id}
        if file_name is not None:
            document["file_name"] = file_name
        if mime_type is not None:
            document["mime_type"] = mime_type
        if declare_size:
            document["file_size"] = stored.size
        return document

    def user(self, user_id: int, first_name: str = "Alice", **extra: Any) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, **extra}

    def private_chat(self, user: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self.chats[chat["id"]] = chat
        return chat

    def group_chat(
        self, chat_id: int, title: str = "Team", *, forum: bool = False
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {
            "id": chat_id,
            "type": "supergroup" if forum or chat_id < -1000000000000 else "group",
            "title": title,
        }
        if forum:
            chat["is_forum"] = True
        self.chats[chat_id] = chat
        return chat

    def push_message(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        text: str | None = None,
        *,
        reply_to: dict[str, Any] | None = None,
        topic_id: int | None = None,
        entities: list[dict[str, Any]] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """Deliver a message from `user` to the bot, as a `message` update; returns the message."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if text is not None:
            message["text"] = text
            found = entities if entities is not None else text_entities(text)
            if found:
                message["entities"] = found
        caption = content.get("caption")
        if caption and "caption_entities" not in content and (found := text_entities(caption)):
            message["caption_entities"] = found
        if topic_id is not None:
            message["message_thread_id"] = topic_id
            message["is_topic_message"] = True
            reply_to = reply_to or {
                "message_id": topic_id,
                "chat": chat,
                "date": int(time.time()),
                "forum_topic_created": {"name": "Topic", "icon_color": 7322096},
            }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[(chat["id"], message["message_id"])] = message
        self.push_update({"message": message})
        return message

    async def go_down(self) -> None:
        """An outage: from now on every request (a long poll in progress too) fails with 502."""
        self.down = True
        await self.wake_pollers()

    def come_back(self) -> None:
        self.down = False

    async def wake_pollers(self) -> None:
        """End pending long polls now (with no updates), so a stopping bot need not wait."""
        self._wakeups += 1
        await self._notify()

    def push_membership(self, chat: dict[str, Any], by: dict[str, Any], old: str, new: str) -> None:
        """The bot's own membership changed (added, removed, blocked), as `my_chat_member`."""
        self.push_update(
            {
                "my_chat_member": {
                    "chat": chat,
                    "from": by,
                    "date": int(time.time()),
                    "old_chat_member": _member(old, self.bot_user),
                    "new_chat_member": _member(new, self.bot_user),
                }
            }
        )

    def push_callback(self, user: dict[str, Any], message: dict[str, Any], data: str) -> None:
        self.push_update(
            {
                "callback_query": {
                    "id": str(next(self._message_ids)),
                    "from": user,
                    "message": message,
                    "chat_instance": "1",
                    "data": data,
                }
            }
        )

    def push_update(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        count: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        self.faults.append(Fault(method, status, description, parameters, count, when))

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method
            and c.ok
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def sent_texts(self, chat_id: int) -> list[str]:
        return [c.result["text"] for c in self.calls_to("sendMessage", chat_id)]

    def sent_captions(self, chat_id: int) -> list[str]:
        """The captions of the photos, albums and documents sent to the chat, as users see them."""
        found = []
        for call in self.calls:
            if call.ok and call.params.get("chat_id") == chat_id and call.method in MEDIA_SENDS:
                results = call.result if isinstance(call.result, list) else [call.result]
                found += [m["caption"] for m in results if m.get("caption")]
        return found

    async def wait_until(self, predicate: Callable[[], Any], within: float = 10.0) -> Any:
        """Wait until `predicate()` is truthy, re-checking whenever the bot calls the API."""
        deadline = time.monotonic() + within
        async with self._changed:
            while not (value := predicate()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting; calls so far: {self._summary()}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
        return value

    async def wait_for_captions(self, chat_id: int, count: int, within: float = 10.0) -> list[str]:
        await self.wait_until(lambda: len(self.sent_captions(chat_id)) >= count, within)
        return self.sent_captions(chat_id)

    async def wait_for_messages(self, chat_id: int, count: int, within: float = 10.0) -> list[str]:
        await self.wait_until(lambda: len(self.sent_texts(chat_id)) >= count, within)
        return self.sent_texts(chat_id)

    def _summary(self) -> str:
        return ", ".join(f"{c.method}({c.params.get('chat_id')})" for c in self.calls[-20:])


def _photo_dimensions_ok(data: bytes) -> bool:
    """sendPhoto's rule: width + height at most 10,000, the sides' ratio at most 20 (read from
    a PNG's header; other formats pass)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 24:
        return True
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return width + height <= 10_000 and max(width, height) <= 20 * max(1, min(width, height))


def _member(status: str, user: dict[str, Any]) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _administrator(user: dict[str, Any]) -> dict[str, Any]:
    rights = [
        "can_manage_chat",
        "can_delete_messages",
        "can_manage_video_chats",
        "can_restrict_members",
        "can_change_info",
        "can_invite_users",
    ]
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": False,
        "is_anonymous": False,
        "can_promote_members": False,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
        **dict.fromkeys(rights, True),
    }


class _ApiError(Exception):
    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _read_params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    raw: dict[str, Any] = dict(await request.post()) if request.can_read_body else {}
    raw.update(request.query)
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in JSON_PARAMS and isinstance(value, str):
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        else:
            params[key] = value
    return params
