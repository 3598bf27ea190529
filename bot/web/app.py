"""The web side's routes: sign-in (a `/web` link, a Mini App launch), the person's pages (the
conversation and the web chat, personas, usage, settings and privacy) and the owner's pages.

Every page is rendered here (`pages`) and fetched by the one script, with the session's cookie
or the Mini App's token; what a person may see follows the bot's own rules (`Visitor.role`).
A person's pages are about their private chat with the bot: its key is their user id.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.engine import ChatEngine, ChatLanguages, ConversationUnavailable, ReplyChannel
from bot.logging_setup import LogTail
from bot.personas import PersonaBook
from bot.texts.languages import LANGUAGES, Language
from bot.usage.reports import UsageReports
from bot.web import pages
from bot.web.init_data import InitDataRefused, check_init_data
from bot.web.login_links import token_hash
from bot.web.owner_pages import Floor, OwnerPages
from bot.web.rate_limits import RateLimit
from bot.web.security import add_headers, errors
from bot.web.sessions import (
    BROWSER_SECONDS,
    MINI_APP_SECONDS,
    Role,
    Visitor,
    csrf_of,
    csrf_ok,
    open_session,
    session_token,
    set_cookie,
)
from bot.web.web_chat import WebChannel
from storage import ChatKey
from storage.coordination import WebLogins
from storage.repositories import People, Privacy

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
HISTORY_LIMIT = 50  # messages the chat page shows
CHART_DAYS = 30  # the person's usage chart
MESSAGE_LIMIT = 4000  # characters in one web chat message (Telegram's own is 4096)
MOVED_TO_TELEGRAM = "The rest of this answer (files, or a question) is in your Telegram chat."
USER_PAGES = (("chat", "Chat"), ("personas", "Personas"), ("usage", "Usage"),
              ("settings", "Settings"))  # fmt: skip
OWNER_PAGES = (("owner-usage", "Bot usage"), ("owner-people", "People"),
               ("owner-status", "Status"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class WebDeps:
    """What the pages read and do, given by the application (nothing here builds a service)."""

    bot_token: str  # checks a Mini App's launch data
    secure_cookies: bool  # served over HTTPS (WEB_URL)
    logins: WebLogins
    privacy: Privacy
    engine: ChatEngine
    personas: PersonaBook
    usage: UsageReports
    languages: ChatLanguages
    role_of: Callable[[int], Awaitable[Role]]
    people: People
    floor: Floor  # ALLOWED_USERS and ADMIN_USERS
    welcome: Callable[[int], Awaitable[None]]  # tells someone let in, in Telegram
    status: Callable[[], Awaitable[str]]
    log_tail: LogTail
    hold_chat: Callable[[int], Awaitable[bool]]  # this process may answer the chat now
    telegram_chat: Callable[[int], ReplyChannel]  # a person's private chat with the bot


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)


class WebApp:
    def __init__(self, deps: WebDeps) -> None:
        self._deps = deps
        self._sign_ins = RateLimit(20, 60.0)  # per address: a script cannot guess links
        self._messages = RateLimit(20, 60.0)  # per person: web chat messages a minute
        self._chatting: set[int] = set()  # people with a web turn streaming (one at a time)
        self._owner = OwnerPages(
            deps.usage, deps.people, deps.floor, deps.welcome, deps.status, deps.log_tail
        )

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self._root),
            web.get("/app", self._app_page),
            web.get("/mini-app", self._mini_app_page),
            web.get("/login", self._sign_in_page),
            web.post("/login", self._sign_in),
            web.static("/static", STATIC, append_version=False),
            web.post("/api/mini-app", self._mini_app_session),
            web.get("/api/me", self._me),
            web.get("/api/page/{name}", self._page),
            web.post("/api/persona", self._choose_persona),
            web.post("/api/language", self._choose_language),
            web.post("/api/reset", self._reset),
            web.post("/api/forget", self._forget),
            web.post("/api/logout", self._logout),
            web.post("/api/chat", self._chat),
            web.post("/api/people", self._set_allowed),
        ]

    def install(self, app: web.Application) -> None:
        """Serve the pages from `app` (its own, or the webhook's server)."""
        app.middlewares.append(errors)
        app.on_response_prepare.append(add_headers)
        app.add_routes(self.routes())

    # -- pages without a session ---------------------------------------------------------------

    async def _root(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/app")

    async def _app_page(self, request: web.Request) -> web.Response:
        return _html(pages.shell(mini_app=False))

    async def _mini_app_page(self, request: web.Request) -> web.Response:
        return _html(pages.shell(mini_app=True))

    async def _sign_in_page(self, request: web.Request) -> web.Response:
        """A GET never spends the link (Telegram's preview, crawlers, prefetching)."""
        return _html(pages.sign_in(request.query.get("t", "")))

    async def _sign_in(self, request: web.Request) -> web.Response:
        if not self._sign_ins.allow(request.remote or ""):
            return _html(pages.message_page("Slow down", "Too many sign-ins: wait a minute."), 429)
        token = str((await request.post()).get("t", ""))
        user_id = await self._deps.logins.spend(token_hash(token)) if token else None
        if user_id is None:
            logger.info("Refused a web sign-in: the link was unknown, used or lapsed")
            text = "This link was used already or has expired. Send /web to the bot for a new one."
            return _html(pages.message_page("Link expired", text), 400)
        session = await open_session(self._deps.logins, user_id, BROWSER_SECONDS)
        response = web.HTTPSeeOther("/app")
        set_cookie(response, session, secure=self._deps.secure_cookies)
        logger.info("User %s signed in to the web pages", user_id)
        raise response

    async def _mini_app_session(self, request: web.Request) -> web.Response:
        """A Mini App's launch, checked, swapped for a session token the page keeps."""
        if not self._sign_ins.allow(request.remote or ""):
            return json_error(429, "Too many sign-ins: wait a minute.")
        header = request.headers.get("Authorization", "")
        if not header.startswith("tma "):
            return json_error(401, "Open this page from the bot's menu button in Telegram.")
        try:
            user = check_init_data(header.removeprefix("tma "), self._deps.bot_token, time.time())
        except InitDataRefused as exc:
            logger.info("Refused a Mini App launch: %s", exc)
            return json_error(401, "Telegram's launch data did not check out: open it again.")
        if await self._deps.role_of(user.user_id) == "stranger":
            return json_error(403, "The bot does not talk to you (yet).")
        token = await open_session(self._deps.logins, user.user_id, MINI_APP_SECONDS)
        return web.json_response({"token": token})

    # -- who asks ------------------------------------------------------------------------------

    async def _visitor(self, request: web.Request) -> Visitor:
        """The request's person (401 without a live session, 403 for a stranger)."""
        found = session_token(request)
        if found is None:
            raise _refused(401, "Not signed in: send /web to the bot in a private chat.")
        token, by_cookie = found
        user_id = await self._deps.logins.session_user(token_hash(token))
        if user_id is None:
            raise _refused(401, "Your session ended: send /web to the bot for a new link.")
        role = await self._deps.role_of(user_id)
        if role == "stranger":
            raise _refused(403, "The bot does not talk to you (yet).")
        return Visitor(user_id, role, csrf_of(token), by_cookie)

    async def _form(self, request: web.Request) -> tuple[Visitor, dict[str, str]]:
        """A state-changing request's person and form, its CSRF checked."""
        visitor = await self._visitor(request)
        if not csrf_ok(request, visitor):
            raise _refused(403, "This form is stale: reload the page.")
        form = await request.post()
        return visitor, {k: str(v) for k, v in form.items()}

    async def _me(self, request: web.Request) -> web.Response:
        visitor = await self._visitor(request)
        tabs = USER_PAGES + (OWNER_PAGES if visitor.role == "owner" else ())
        return web.json_response(
            {
                "user_id": visitor.user_id,
                "role": visitor.role,
                "csrf": visitor.csrf,
                "pages": [{"id": i, "title": t} for i, t in tabs],
            },
            headers={"Cache-Control": "no-store"},
        )

    # -- pages ---------------------------------------------------------------------------------

    async def _page(self, request: web.Request) -> web.Response:
        visitor = await self._visitor(request)
        name = request.match_info["name"]
        makers: dict[str, Callable[[Visitor], Awaitable[str]]] = {
            "chat": self._chat_page,
            "personas": self._personas_page,
            "usage": self._usage_page,
            "settings": self._settings_page,
        }
        if visitor.role == "owner":
            owner = self._owner
            makers |= {
                "owner-usage": lambda _: owner.usage(),
                "owner-people": lambda _: owner.people(),
                "owner-status": lambda _: owner.status(),
            }
        elif name.startswith("owner-"):
            raise _refused(403, "Only the bot's owners see this page.")
        maker = makers.get(name)
        if maker is None:
            raise _refused(404, "No such page.")
        return _html(await maker(visitor), cache=False)

    async def _chat_page(self, visitor: Visitor) -> str:
        key = ChatKey(visitor.user_id)
        try:
            history = await self._deps.engine.history(key, HISTORY_LIMIT)
        except ConversationUnavailable as exc:
            logger.warning("Could not read the conversation of %s: %s", key, exc)
            history = []
        persona = await self._deps.engine.persona_for(key)
        return pages.chat(history, persona.title, can_chat=True)

    async def _personas_page(self, visitor: Visitor) -> str:
        current = await self._deps.engine.persona_for(ChatKey(visitor.user_id))
        choices = [
            pages.PersonaChoice(
                p.name, p.title, p.description, ", ".join(p.wanted_tools), p.name == current.name
            )
            for p in self._deps.personas.personas
        ]
        return pages.personas(choices)

    async def _usage_page(self, visitor: Visitor) -> str:
        usage = self._deps.usage
        uid = visitor.user_id
        summary = await usage.summary(ChatKey(uid), uid, private=True)
        spending = summary.spending
        lines = [
            pages.spend_line("Today", spending.day, spending.day_limit),
            pages.spend_line("This month", spending.month, spending.month_limit),
        ]
        days = await usage.by_day("user", str(uid), CHART_DAYS)
        return pages.usage(lines, pages.daily_chart(days, f"Your spend, last {CHART_DAYS} days"))

    async def _settings_page(self, visitor: Visitor) -> str:
        return pages.settings(await self._deps.languages.chosen(visitor.user_id))

    # -- actions -------------------------------------------------------------------------------

    async def _choose_persona(self, request: web.Request) -> web.Response:
        visitor, form = await self._form(request)
        persona = self._deps.personas.get(form.get("name", ""))
        if persona is None:
            return json_error(400, "No such persona.")
        try:
            await self._deps.engine.choose_persona(ChatKey(visitor.user_id), persona)
        except ConversationUnavailable as exc:
            logger.warning("Could not switch persona for %s: %s", visitor.user_id, exc)
            return json_error(503, "The model server did not answer: try again in a moment.")
        logger.info("User %s chose persona %s on the web", visitor.user_id, persona.name)
        return web.json_response({"message": f"Now talking with {persona.title}."})

    async def _choose_language(self, request: web.Request) -> web.Response:
        visitor, form = await self._form(request)
        code = form.get("language", "")
        if code and code not in LANGUAGES:
            return json_error(400, "No such language.")
        language: Language | None = next((lang for lang in LANGUAGES if lang == code), None)
        await self._deps.languages.choose(visitor.user_id, language)
        return web.json_response({"message": "Saved."})

    async def _reset(self, request: web.Request) -> web.Response:
        visitor, _ = await self._form(request)
        try:
            await self._deps.engine.reset(ChatKey(visitor.user_id))
        except ConversationUnavailable as exc:
            logger.warning("Could not reset the chat of %s: %s", visitor.user_id, exc)
            return json_error(503, "The model server did not answer: try again in a moment.")
        return web.json_response({"message": "A fresh conversation has started."})

    async def _forget(self, request: web.Request) -> web.Response:
        visitor, _ = await self._form(request)
        uid = visitor.user_id
        keep = self._deps.usage.windows()

        async def forget_rows() -> None:
            await self._deps.privacy.forget_person(uid, keep)
            self._deps.languages.forget(uid)

        try:
            await self._deps.engine.forget_person(uid, forget_rows)
        except ConversationUnavailable as exc:
            logger.warning("Could not delete the data of %s: %s", uid, exc)
            return json_error(503, "The model server did not delete the conversation: nothing "
                                   "was deleted; try again in a moment.")  # fmt: skip
        return web.json_response({"message": "Everything about you is deleted.", "ended": True})

    async def _set_allowed(self, request: web.Request) -> web.Response:
        visitor, form = await self._form(request)
        if visitor.role != "owner":
            raise _refused(403, "Only the bot's owners let people in.")
        user_id = form.get("user_id", "")
        if not user_id.lstrip("-").isdigit():
            return json_error(400, "That is not a Telegram user id.")
        allowed = form.get("allowed") == "1"
        said = await self._owner.set_allowed(visitor.user_id, int(user_id), allowed)
        return web.json_response({"message": said})

    async def _logout(self, request: web.Request) -> web.Response:
        visitor, _ = await self._form(request)
        ended = await self._deps.logins.end_sessions(visitor.user_id)
        logger.info("User %s signed out of %d web sessions", visitor.user_id, ended)
        return web.json_response({"message": "Signed out everywhere.", "ended": True})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        """One web chat message: into the inbox and the chat's queue like a Telegram message,
        its answer streamed back as server-sent events."""
        visitor, form = await self._form(request)
        uid = visitor.user_id
        text = form.get("text", "").strip()
        if not text:
            return json_error(400, "Write something first.")
        if len(text) > MESSAGE_LIMIT:
            return json_error(400, f"That is longer than {MESSAGE_LIMIT} characters.")
        if uid in self._chatting:
            return json_error(409, "Wait for the answer before sending the next message.")
        if not self._messages.allow(str(uid)):
            return json_error(429, "Too many messages: wait a minute.")
        if not await self._deps.hold_chat(uid):
            return json_error(409, "Your Telegram chat is being answered by another process of "
                                   "the bot right now: try again in a few seconds.")  # fmt: skip
        self._chatting.add(uid)
        try:
            return await self._answer(request, uid, text)
        finally:
            self._chatting.discard(uid)

    async def _answer(self, request: web.Request, uid: int, text: str) -> web.StreamResponse:
        channel = WebChannel(self._deps.telegram_chat(uid), MOVED_TO_TELEGRAM)
        language = await self._deps.languages.chosen(uid) or self._deps.languages.default
        accepted = await self._deps.engine.accept_message(
            ChatKey(uid),
            text,
            channel,
            message_id=web_message_id(),
            private=True,
            language=language,
            user_id=uid,
            then=channel.end,
        )
        if not accepted:
            return json_error(409, "That message was sent already.")
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",  # proxies pass each event on at once
            }
        )
        await response.prepare(request)
        while True:
            event = await channel.events.get()
            try:
                await response.write(event.encoded())
            except ConnectionError:
                logger.info("The page of user %s left before the answer ended", uid)
                break  # the turn goes on: its answer is in the conversation
            if event.kind == "end":
                break
        return response


def web_message_id() -> int:
    """A web message's id in the inbox and the ledger: negative, so it never meets one of
    Telegram's (which count up from 1 in each chat)."""
    return -time.time_ns() // 1000


def _refused(status: int, message: str) -> web.HTTPException:
    kind = {401: web.HTTPUnauthorized, 403: web.HTTPForbidden, 404: web.HTTPNotFound}[status]
    return kind(text=json.dumps({"message": message}), content_type="application/json")


def _html(text: str, status: int = 200, *, cache: bool = True) -> web.Response:
    headers = {} if cache else {"Cache-Control": "no-store"}
    return web.Response(text=text, status=status, content_type="text/html", headers=headers)
