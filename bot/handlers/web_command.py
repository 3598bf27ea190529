"""/web: a single-use link that signs the person in to the web pages (and, where they are
served over HTTPS, a button that opens them as a Mini App); `/web logout` ends every session.

Only in a private chat (the link opens the person's own conversation) and only for people the
bot talks to. The message goes out, like all the bot's, with the link preview off: Telegram's
preview would fetch the link (the sign-in page spends it only on a POST, but still).
"""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.ext import ContextTypes

from bot.handlers.access import AccessControl
from bot.handlers.update_context import UpdateContexts
from bot.texts import Html, render
from bot.web.login_links import LINK_SECONDS, new_token, token_hash
from storage import SignedIn
from storage.coordination import WebLogins

logger = logging.getLogger(__name__)


class WebHandlers:
    def __init__(
        self,
        logins: WebLogins,
        url: str | None,
        access: AccessControl,
        contexts: UpdateContexts,
    ) -> None:
        """`url`: WEB_URL (None: the web pages are off)."""
        self._logins = logins
        self._url = url
        self._access = access
        self._contexts = contexts

    async def web(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None or not await self._access.may_talk(update, context.bot):
            return
        here = await self._contexts.of(update)
        if here is None:
            return
        if self._url is None:
            await here.reply(here.texts.web_off)
            return
        if not here.private:
            await here.reply(here.texts.web_private_only)
            return
        if context.args and context.args[0].lower() == "logout":
            ended = await self._logins.end_sessions(user.id)
            logger.info("User %s ended %d web sessions", user.id, ended)
            await here.reply(render(here.texts.web_logged_out, count=ended))
            return
        token = new_token()
        signed = SignedIn(user.id, user.language_code)  # the pages speak the app's language
        await self._logins.issue(token_hash(token), signed, LINK_SECONDS)
        address = html.escape(f"{self._url}/login?t={token}", quote=True)
        label = html.escape(here.texts.web_link_label, quote=False)
        link = Html(f'<a href="{address}">{label}</a>')
        menu = None
        if self._url.startswith("https://"):  # Telegram opens Mini Apps over HTTPS only
            button = InlineKeyboardButton(
                here.texts.web_open_button, web_app=WebAppInfo(f"{self._url}/mini-app")
            )
            menu = InlineKeyboardMarkup([[button]])
        logger.info("Sent user %s a web sign-in link", user.id)
        await here.reply(render(here.texts.web_link, link=link), menu)
