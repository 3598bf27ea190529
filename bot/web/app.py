"""The web side's routes: who may reach what, and which module answers.

Every page is rendered on the server and fetched by the one script with the session (a cookie,
or the Mini App's token); every form's person is checked and its CSRF token too (`SignIn`).
A person's pages are about their private chat (`PersonPages`, `ChatTurns`); the owners' about
the bot (`OwnerPages`, `PersonaEditor`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from aiohttp import web

from bot.engine import ChatEngine, ChatLanguages, ReplyChannel
from bot.logging_setup import LogTail
from bot.personas import PersonaBook
from bot.texts.languages import Language
from bot.usage.reports import UsageReports
from bot.web import pages
from bot.web.chat_turns import ChatTurns
from bot.web.owner_pages import Floor, OwnerPages
from bot.web.person_pages import PersonPages
from bot.web.persona_editor import PersonaEditor
from bot.web.replies import html, refused, said
from bot.web.security import add_headers, errors
from bot.web.sessions import Role, Visitor
from bot.web.sign_in import SignIn
from bot.web.words import WORDS
from storage.coordination import WebLogins
from storage.personal_data import People, Privacy

STATIC = Path(__file__).parent / "static"
OWNER_PAGES = (("owner-usage", "Bot usage"), ("owner-people", "People"),
               ("owner-personas", "Edit personas"), ("owner-status", "Status"))  # fmt: skip

T = TypeVar("T")
Page = Callable[[Visitor], Awaitable[str]]
Action = Callable[[Visitor, dict[str, str]], Awaitable[web.Response]]


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
    # The language of a person's pages, from their chat's choice and their app's language.
    language_of: Callable[[int, str | None], Awaitable[Language]]
    people: People
    let_in: Callable[[int, bool], Awaitable[None]]  # an owner lets someone in (or not)
    floor: Floor  # ALLOWED_USERS and ADMIN_USERS
    welcome: Callable[[int], Awaitable[None]]  # tells someone let in, in Telegram
    persona_editor: PersonaEditor
    status: Callable[[], Awaitable[str]]
    log_tail: LogTail
    hold_chat: Callable[[int], Awaitable[bool]]  # this process may answer the chat now
    telegram_chat: Callable[[int], ReplyChannel]  # a person's private chat with the bot


class WebApp:
    def __init__(self, deps: WebDeps) -> None:
        self._sign_in = SignIn(
            deps.logins,
            deps.bot_token,
            deps.role_of,
            deps.language_of,
            deps.languages.default,
            secure_cookies=deps.secure_cookies,
        )
        person = PersonPages(deps.engine, deps.personas, deps.usage, deps.languages, deps.privacy)
        owner = OwnerPages(
            deps.usage,
            deps.people,
            deps.let_in,
            deps.floor,
            deps.welcome,
            deps.status,
            deps.log_tail,
        )
        editor = deps.persona_editor
        self._chat = ChatTurns(deps.engine, deps.languages, deps.hold_chat, deps.telegram_chat)
        self._pages: dict[str, Page] = {
            "chat": person.chat,
            "personas": person.personas,
            "usage": person.usage,
            "settings": person.settings,
        }
        self._owner_pages: dict[str, Page] = {
            "owner-usage": lambda _: owner.usage(),
            "owner-people": lambda _: owner.people(),
            "owner-personas": lambda _: editor.page(),
            "owner-status": lambda _: owner.status(),
        }
        self._actions: dict[str, Action] = {
            "persona": person.choose_persona,
            "language": person.choose_language,
            "reset": person.reset,
            "forget": person.forget,
            "logout": lambda visitor, _: self._sign_in.sign_out(visitor),
        }

        async def set_allowed(visitor: Visitor, form: dict[str, str]) -> web.Response:
            user_id = form.get("user_id", "")
            if not user_id.lstrip("-").isdigit():
                return said("That is not a Telegram user id.", 400)
            allowed = form.get("allowed") == "1"
            return said(await owner.set_allowed(visitor.user_id, int(user_id), allowed))

        async def check_personas(visitor: Visitor, form: dict[str, str]) -> web.Response:
            ok, message = editor.check(form.get("text", ""))
            return said(message, 200 if ok else 400)

        async def save_personas(visitor: Visitor, form: dict[str, str]) -> web.Response:
            saved, message = await editor.save(form.get("text", ""), by=visitor.user_id)
            return said(message, 200 if saved else 400)

        self._owner_actions: dict[str, Action] = {
            "people": set_allowed,
            "personas-check": check_personas,
            "personas-save": save_personas,
        }

    def close(self) -> None:
        """Stopping: the web chat's streams end now."""
        self._chat.close()

    def install(self, app: web.Application) -> None:
        """Serve the pages from `app` (its own, or the webhook's server)."""
        app.middlewares.append(errors)
        app.on_response_prepare.append(add_headers)
        app.add_routes(
            [
                web.get("/", self._root),
                web.get("/app", self._app_page),
                web.get("/mini-app", self._mini_app_page),
                web.get("/login", self._sign_in.link_page),
                web.post("/login", self._sign_in.spend_link),
                web.static("/static", STATIC, append_version=False),
                web.post("/api/mini-app", self._sign_in.mini_app),
                web.get("/api/me", self._me),
                web.get("/api/page/{name}", self._page),
                web.post("/api/chat", self._send),
                web.post("/api/{action}", self._act),
            ]
        )

    async def _root(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/app")

    async def _app_page(self, request: web.Request) -> web.Response:
        return html(pages.shell(self._sign_in.words, mini_app=False))

    async def _mini_app_page(self, request: web.Request) -> web.Response:
        return html(pages.shell(self._sign_in.words, mini_app=True))

    async def _me(self, request: web.Request) -> web.Response:
        visitor = await self._sign_in.visitor(request)
        w = WORDS[visitor.language]
        tabs: tuple[tuple[str, str], ...] = (
            ("chat", w.tab_chat), ("personas", w.tab_personas), ("usage", w.tab_usage),
            ("settings", w.tab_settings),
        )  # fmt: skip
        if visitor.role == "owner":
            tabs += OWNER_PAGES
        return web.json_response(
            {
                "user_id": visitor.user_id,
                "role": visitor.role,
                "csrf": visitor.csrf,
                "language": visitor.language,
                "pages": [{"id": i, "title": t} for i, t in tabs],
                "words": {"failed": w.failed, "done": w.done},
            },
            headers={"Cache-Control": "no-store"},
        )

    async def _page(self, request: web.Request) -> web.Response:
        visitor = await self._sign_in.visitor(request)
        name = request.match_info["name"]
        page = self._pages.get(name) or self._owners_only(visitor, self._owner_pages.get(name))
        if page is None:
            raise refused(404, WORDS[visitor.language].no_such_page)
        return html(await page(visitor), cache=False)

    async def _act(self, request: web.Request) -> web.Response:
        visitor, form = await self._sign_in.form(request)
        name = request.match_info["action"]
        action = self._actions.get(name) or self._owners_only(
            visitor, self._owner_actions.get(name)
        )
        if action is None:
            raise refused(404, WORDS[visitor.language].no_such_page)
        return await action(visitor, form)

    async def _send(self, request: web.Request) -> web.StreamResponse:
        visitor, form = await self._sign_in.form(request)
        return await self._chat.send(request, visitor, form)

    @staticmethod
    def _owners_only(visitor: Visitor, found: T | None) -> T | None:
        if found is not None and visitor.role != "owner":
            raise refused(403, "Only the bot's owners see and do this.")
        return found
