"""The command menus Telegram shows, per language and audience, and the bot's descriptions."""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import TelegramError

from bot.config import Config
from bot.texts import CATALOGUES, LANGUAGES, Texts
from bot.texts.languages import TELEGRAM_CODES, Language

logger = logging.getLogger(__name__)


async def register_commands(bot: Bot, config: Config, *, drawing: bool = False) -> None:
    """Per language, the command menu per audience (private chats, group members, group admins)
    and the bot's descriptions. Telegram picks by the user's app language; the default
    language's texts go to everyone else. Command names stay English everywhere."""
    menus: list[tuple[str | None, Texts]] = [(None, CATALOGUES[config.default_language])]
    menus += [(TELEGRAM_CODES[language], CATALOGUES[language]) for language in LANGUAGES]
    await asyncio.gather(
        *(_register_menus(bot, config, code, texts, drawing) for code, texts in menus)
    )
    if config.web_url and config.web_url.startswith("https://"):  # Mini Apps need HTTPS
        await _mini_app_button(bot, config.web_url, config.default_language)


async def _mini_app_button(bot: Bot, web_url: str, language: Language) -> None:
    """The Mini App in every private chat's menu. Telegram may refuse the address (it wants a
    public HTTPS one): that is a line in the log, not a bot that cannot start."""
    label = CATALOGUES[language].web_open_button
    try:
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp(label, WebAppInfo(f"{web_url}/mini-app"))
        )
    except TelegramError as exc:
        logger.warning("Could not put the Mini App in the chats' menu (WEB_URL %s): %s",
                       web_url, exc)  # fmt: skip


async def _register_menus(
    bot: Bot, config: Config, code: str | None, texts: Texts, drawing: bool
) -> None:
    persona = BotCommand("persona", texts.command_persona)
    reset = BotCommand("reset", texts.command_reset)
    language = BotCommand("language", texts.command_language)
    usage = BotCommand("usage", texts.command_usage)
    web = [BotCommand("web", texts.command_web)] if config.web_url else []
    help_ = BotCommand("help", texts.command_help)
    start = BotCommand("start", texts.command_start)
    image = [BotCommand("image", texts.command_image)] if drawing else []
    managers = [persona, reset, language, *image, usage, help_]
    members = [*image, usage, help_] if config.group_admin_only else managers
    await bot.set_my_commands(
        [*managers, *web, start], scope=BotCommandScopeAllPrivateChats(), language_code=code
    )
    await bot.set_my_commands(members, scope=BotCommandScopeAllGroupChats(), language_code=code)
    await bot.set_my_commands(
        managers, scope=BotCommandScopeAllChatAdministrators(), language_code=code
    )
    await bot.set_my_description(texts.bot_description, language_code=code)
    await bot.set_my_short_description(texts.bot_short_description, language_code=code)
