"""Signing in without a password, and knowing who asks.

A `/web` link's page (GET: a button, never spending the link) and its button (POST: spends it,
opens a week's session in an HttpOnly, SameSite=Strict cookie); a Mini App's launch, checked
with the bot's token and swapped for a session token the page keeps in memory. Every other
request names its person by either, and the bot's own rules say what they may see.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.texts.languages import Language
from bot.web import pages
from bot.web.init_data import InitDataRefused, check_init_data
from bot.web.login_links import token_hash
from bot.web.rate_limits import RateLimit
from bot.web.replies import html, refused, said
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
from bot.web.words import WORDS
from storage import SignedIn
from storage.coordination import WebLogins

logger = logging.getLogger(__name__)


class SignIn:
    def __init__(
        self,
        logins: WebLogins,
        bot_token: str,
        role_of: Callable[[int], Awaitable[Role]],
        language_of: Callable[[int, str | None], Awaitable[Language]],
        default_language: Language,
        *,
        secure_cookies: bool,
    ) -> None:
        self._logins = logins
        self._language_of = language_of
        self.words = WORDS[default_language]  # before the person is known
        self._bot_token = bot_token  # checks a Mini App's launch data
        self._role_of = role_of
        self._secure = secure_cookies  # served over HTTPS (WEB_URL)
        self._attempts = RateLimit(20, 60.0)  # per address: a script cannot guess links

    async def link_page(self, request: web.Request) -> web.Response:
        """A GET never spends the link (Telegram's preview, crawlers, prefetching)."""
        return html(pages.sign_in(request.query.get("t", ""), self.words))

    async def spend_link(self, request: web.Request) -> web.Response:
        w = self.words
        if not self._attempts.allow(request.remote or ""):
            return html(pages.message_page(w.slow_down, w.too_many_sign_ins), 429)
        token = str((await request.post()).get("t", ""))
        signed = await self._logins.spend(token_hash(token)) if token else None
        if signed is None:
            logger.info("Refused a web sign-in: the link was unknown, used or lapsed")
            return html(pages.message_page(w.link_expired, w.link_expired_text), 400)
        session = await open_session(self._logins, signed, BROWSER_SECONDS)
        response = web.HTTPSeeOther("/app")
        set_cookie(response, session, secure=self._secure)
        logger.info("User %s signed in to the web pages", signed.user_id)
        raise response

    async def mini_app(self, request: web.Request) -> web.Response:
        """A Mini App's launch, checked, swapped for a session token the page keeps."""
        if not self._attempts.allow(request.remote or ""):
            return said(self.words.too_many_sign_ins, 429)
        header = request.headers.get("Authorization", "")
        if not header.startswith("tma "):
            return said(self.words.open_from_telegram, 401)
        try:
            user = check_init_data(header.removeprefix("tma "), self._bot_token, time.time())
        except InitDataRefused as exc:
            logger.info("Refused a Mini App launch: %s", exc)
            return said(self.words.launch_refused, 401)
        signed = SignedIn(user.user_id, user.language_code)
        if await self._role_of(user.user_id) == "stranger":
            language = await self._language_of(user.user_id, user.language_code)
            return said(WORDS[language].stranger, 403)
        token = await open_session(self._logins, signed, MINI_APP_SECONDS)
        return web.json_response({"token": token})

    async def visitor(self, request: web.Request) -> Visitor:
        """The request's person (401 without a live session, 403 for a stranger)."""
        found = session_token(request)
        if found is None:
            raise refused(401, self.words.not_signed_in)
        token, by_cookie = found
        signed = await self._logins.session_user(token_hash(token))
        if signed is None:
            raise refused(401, self.words.session_ended)
        role = await self._role_of(signed.user_id)
        language = await self._language_of(signed.user_id, signed.language)
        if role == "stranger":
            raise refused(403, WORDS[language].stranger)
        return Visitor(signed.user_id, role, csrf_of(token), by_cookie, language)

    async def form(self, request: web.Request) -> tuple[Visitor, dict[str, str]]:
        """A state-changing request's person and form, its CSRF checked."""
        visitor = await self.visitor(request)
        if not csrf_ok(request, visitor):
            raise refused(403, WORDS[visitor.language].stale_form)
        form = await request.post()
        return visitor, {k: str(v) for k, v in form.items()}

    async def sign_out(self, visitor: Visitor) -> web.Response:
        ended = await self._logins.end_sessions(visitor.user_id)
        logger.info("User %s signed out of %d web sessions", visitor.user_id, ended)
        return said(WORDS[visitor.language].signed_out, ended=True)
