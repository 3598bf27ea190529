"""Wires the web pages (`bot.web`) to the bot's services: what they read and do, who may see
what (the bot's own rules), and the way an answer reaches a person's Telegram chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.config import Config
from bot.delivery.channel import ChannelFactory
from bot.engine import ReplyChannel
from bot.ingress.chat_leases import ChatLeases
from bot.services import Services
from bot.texts.languages import Language
from bot.web.app import WebApp, WebDeps
from bot.web.owner_pages import Floor
from bot.web.persona_editor import PersonaEditor
from bot.web.server import WebServer
from bot.web.sessions import Role
from storage.personal_data import People


def roles(config: Config, people: People) -> Callable[[int], Awaitable[Role]]:
    """Owners (ADMIN_USERS), people the bot talks to (ALLOWED_USERS, and those an owner let
    in from the web pages), and strangers."""

    async def role_of(user_id: int) -> Role:
        if user_id in config.admin_users:
            return "owner"
        if config.allowed_users.allows(user_id) or await people.allowed(user_id):
            return "member"
        return "stranger"

    return role_of


def build_web(
    services: Services,
    chats: ChatLeases,
    channels: ChannelFactory,
    status: Callable[[], Awaitable[str]],
) -> WebServer | None:
    """The web pages, where WEB_LISTEN turns them on (None: off)."""
    config = services.config
    if config.web_listen is None or config.web_url is None:
        return None

    async def hold_chat(chat_id: int) -> bool:
        """Whether this process answers the chat now (claiming it if nobody does)."""
        if chats.owns(chat_id):
            chats.touch(chat_id)
            return True
        return bool(await chats.claim([chat_id]))

    def telegram_chat(user_id: int) -> ReplyChannel:
        return channels.channel(user_id, private=True, topic_id=None, reply_to=None)

    async def language_of(user_id: int, telegram_code: str | None) -> Language:
        """The language of a person's pages, as of their private chat: its /language, else
        their Telegram app's (known at sign-in), else the bot's default."""
        return await services.languages.for_message(
            user_id, private=True, sender_code=telegram_code
        )

    async def let_in(user_id: int, allowed: bool) -> None:
        await store.people.set_allowed(user_id, allowed)
        services.members.changed(user_id, allowed)  # the budgets count them at once

    async def welcome(user_id: int) -> None:
        """Tell someone an owner let in that they may talk now (in the bot's language)."""
        texts = services.catalogues[config.default_language]
        await telegram_chat(user_id).send_notice(texts.let_in)

    store = services.store
    pages = WebApp(
        WebDeps(
            bot_token=config.telegram_bot_token,
            secure_cookies=config.web_url.startswith("https://"),
            logins=store.web_logins,
            privacy=store.privacy,
            engine=services.engine,
            personas=services.personas,
            usage=services.usage,
            languages=services.languages,
            role_of=roles(config, store.people),
            language_of=language_of,
            people=store.people,
            let_in=let_in,
            floor=Floor(
                config.allowed_users.everyone, config.allowed_users.user_ids, config.admin_users
            ),
            welcome=welcome,
            persona_editor=PersonaEditor(
                config.personas_file,
                config.default_persona,
                services.personas,
                store.chats.by_persona,
                config.secrets,
            ),
            status=status,
            log_tail=services.log_tail,
            hold_chat=hold_chat,
            telegram_chat=telegram_chat,
        )
    )
    shared = config.webhook_url is not None and config.web_listen == config.webhook_listen
    return WebServer(pages, None if shared else config.web_listen, config.web_url)
