"""The real Application in the test's (or the benchmark's) own process, started the way
`run_polling` starts it, against the fakes."""

from __future__ import annotations

import asyncio
import ssl

from telegram.error import TelegramError
from telegram.ext import Updater

from bot.application import TelethreadApp, build_application
from bot.config import Config
from bot.handlers import ALLOWED_UPDATES
from bot.ingress.intake import Intake
from bot.services import Services
from bot.upkeep import lead
from bot.web.server import WebServer
from tests.fakes.telegram_server import FakeTelegram


class RunningBot:
    """The real Application, started the way `run_polling` starts it."""

    def __init__(
        self, config: Config, telegram: FakeTelegram, tls: ssl.SSLContext | None = None
    ) -> None:
        self.config = config
        self.telegram = telegram
        self.app: TelethreadApp = build_application(config, tls)

    @property
    def services(self) -> Services:
        services = self.app.bot_data["services"]
        assert isinstance(services, Services)
        return services

    @property
    def web(self) -> WebServer | None:
        web = self.app.bot_data["web"]
        assert web is None or isinstance(web, WebServer)
        return web

    @property
    def intake(self) -> Intake:
        intake = self.app.bot_data["intake"]
        assert isinstance(intake, Intake)
        return intake

    async def start(self) -> None:
        """As `bot.lifecycle` starts it; returns once this bot leads (on a fresh database at
        once): it polls (or has set its webhook) and has registered its commands."""
        app = self.app
        await app.initialize()
        await self.services.store.open()  # as the process opens it before reaching Telegram
        web = self.web
        await self.intake.open(app, web.pages.install if web and web.shared else None)
        if app.post_init:
            await app.post_init(app)
        await app.start()
        if web is not None:
            await web.start()

        async def polling(updater: Updater) -> None:
            def polling_failed(error: TelegramError) -> None:
                # As run_polling does: polling errors go to the error handlers.
                app.create_task(app.process_error(None, error))

            await updater.start_polling(
                poll_interval=0,
                timeout=1,
                allowed_updates=ALLOWED_UPDATES,
                error_callback=polling_failed,
            )

        await self.intake.answer(app, lambda: lead(app, self.config, self.services), polling)
        await asyncio.wait_for(self.intake.led.wait(), 30)

    async def stop(self) -> None:
        app = self.app
        if self.web is not None:
            await self.web.stop()
        await self.telegram.wake_pollers()
        await self.intake.stop_reading(1.0)
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await self.intake.close()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
