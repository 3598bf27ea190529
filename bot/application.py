"""Wires the python-telegram-bot `Application`: services, handlers, start-up and shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeAlias

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)
from telegram.ext import Application, ApplicationBuilder

from bot.backends import create_backend
from bot.channel import ReplyChannel
from bot.config import Config
from bot.engine import ChatEngine
from bot.handlers import register_handlers
from bot.personas import load_personas
from bot.services import Services
from bot.telegram_channel import TelegramChannel
from bot.telegram_rate_limiter import TelegramRateLimiter
from storage import ConversationStore, InboxEntry

logger = logging.getLogger(__name__)

PERSONA = BotCommand("persona", "Show or switch the persona (starts a new conversation)")
RESET = BotCommand("reset", "Forget this conversation and start over")
HELP = BotCommand("help", "What this bot can do")
START = BotCommand("start", "Welcome message")
RETENTION_CHECK_SECONDS = 3600.0


async def register_commands(bot: Bot, config: Config) -> None:
    """The command menu per audience: private chats, group members, group administrators."""
    managers = [PERSONA, RESET, HELP]
    await bot.set_my_commands([PERSONA, RESET, HELP, START], scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(
        [HELP] if config.group_admin_only else managers, scope=BotCommandScopeAllGroupChats()
    )
    await bot.set_my_commands(managers, scope=BotCommandScopeAllChatAdministrators())


async def enforce_retention(engine: ChatEngine, days: int) -> None:
    """Hourly: delete the conversations of chats inactive for RETENTION_DAYS."""
    while True:
        try:
            await engine.purge_inactive(days)
        except Exception:
            logger.exception("Retention check failed")
        await asyncio.sleep(RETENTION_CHECK_SECONDS)


TelethreadApp: TypeAlias = Application[Any, Any, Any, Any, Any, Any]


def build_services(config: Config) -> Services:
    personas = load_personas(config.personas_file, config.default_persona)
    store = ConversationStore(config.database_path)
    backend = create_backend(config, store)
    engine = ChatEngine(
        store=store,
        backend=backend,
        personas=personas,
        model=config.openai_model,
        response_timeout=config.response_timeout,
        typing_interval=config.typing_interval,
        stream=config.reply_mode == "stream",
        max_concurrent_turns=config.max_concurrent_turns,
    )
    return Services(config=config, store=store, backend=backend, personas=personas, engine=engine)


def build_application(config: Config) -> TelethreadApp:
    """The bot, ready for `run_polling()`; `post_init`/`post_shutdown` own its resources."""
    services = build_services(config)

    def channel_for(entry: InboxEntry) -> ReplyChannel:
        """A way back to the chat of a message accepted before a restart."""
        return TelegramChannel(
            application.bot,
            entry.key.chat_id,
            private=entry.private,
            topic_id=entry.key.topic_id or None,
            reply_to_message_id=entry.message_id,
            group_streaming=config.group_streaming == "edit",
            events=services.engine,
        )

    async def post_init(application: TelethreadApp) -> None:
        await services.start()
        await register_commands(application.bot, config)
        resumed = await services.engine.resume_pending(channel_for)
        if resumed:
            logger.info("Resuming %d messages left from the last run", resumed)
        if config.retention_days:
            services.run_in_background(enforce_retention(services.engine, config.retention_days))
        logger.info(
            "Telethread started as @%s (backend %s, model %s, %d personas)",
            application.bot.username,
            services.backend.name,
            config.openai_model,
            len(services.personas.personas),
        )

    async def post_stop(application: TelethreadApp) -> None:
        # Updates have stopped; the bot can still send: let running answers finish.
        await services.engine.drain(config.shutdown_grace)

    async def post_shutdown(application: TelethreadApp) -> None:
        await services.stop()
        logger.info("Telethread stopped")

    application = (
        ApplicationBuilder()
        .token(config.telegram_bot_token)
        .base_url(f"{config.telegram_base_url}/bot")
        .base_file_url(f"{config.telegram_base_url}/file/bot")
        # Updates are handled concurrently; the engine keeps each chat's messages in order.
        .concurrent_updates(True)
        .rate_limiter(
            TelegramRateLimiter(
                overall=config.flood_limits.overall,
                per_chat=config.flood_limits.per_chat,
                per_group=config.flood_limits.per_group,
            )
        )
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    # For tests and operators' tooling; handlers receive their dependencies explicitly.
    application.bot_data["services"] = services
    register_handlers(application, services)
    return application
