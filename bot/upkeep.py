"""The bot's upkeep: the heartbeat every process writes, and the jobs one process of the bot
runs for all of them (the one that leads: `bot.ingress.leadership`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram.ext import Application

from bot.config import Config
from bot.engine import ChatEngine
from bot.handlers.menus import register_commands
from bot.services import Services
from storage.coordination import Processes, UpdateJournal, WebLogins
from storage.repositories import Settings

logger = logging.getLogger(__name__)

RETENTION_CHECK_SECONDS = 3600.0


async def keep_heartbeat(settings: Settings, polling: Callable[[], bool], interval: float) -> None:
    """While taking updates, write the time: `python -m bot health` fails when it stops coming."""
    while True:
        if polling():
            try:
                await settings.heartbeat()
            except Exception as exc:  # the health check will notice the silence
                logger.warning("Could not write the heartbeat: %s", exc)
        await asyncio.sleep(interval)


async def forget_old_updates(
    journal: UpdateJournal, processes: Processes, web_logins: WebLogins
) -> None:
    """Hourly: forget webhook updates handled more than a day ago (Telegram repeats none older),
    processes gone for a day, and login links spent or lapsed."""
    while True:
        try:
            await journal.forget_done()
            await processes.forget_gone()
            await web_logins.forget_lapsed()
        except Exception:
            logger.exception("Could not forget old updates")
        await asyncio.sleep(RETENTION_CHECK_SECONDS)


async def enforce_retention(engine: ChatEngine, days: int) -> None:
    """Hourly: delete the conversations of chats inactive for RETENTION_DAYS."""
    while True:
        try:
            await engine.purge_inactive(days)
        except Exception:
            logger.exception("Retention check failed")
        await asyncio.sleep(RETENTION_CHECK_SECONDS)


async def lead(
    application: Application[Any, Any, Any, Any, Any, Any], config: Config, services: Services
) -> None:
    """The jobs one process of the bot runs: the command menus, reservations a crash left,
    retention, forgetting old updates."""
    await register_commands(application.bot, config, drawing=services.image_command == "on")
    await services.engine.settle_orphans()
    if config.retention_days:
        services.run_in_background(enforce_retention(services.engine, config.retention_days))
    store = services.store
    services.run_in_background(forget_old_updates(store.journal, store.processes, store.web_logins))
