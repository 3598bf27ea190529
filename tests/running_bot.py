"""The real Application in the test's (or the benchmark's) own process, started the way
`run_polling` starts it, against the fakes."""

from __future__ import annotations

import ssl

from telegram.error import TelegramError

from bot.application import TelethreadApp, build_application
from bot.config import Config
from bot.handlers import ALLOWED_UPDATES
from bot.ingress.intake import Intake
from bot.services import Services
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
    def intake(self) -> Intake:
        intake = self.app.bot_data["intake"]
        assert isinstance(intake, Intake)
        return intake

    async def start(self) -> None:
        app = self.app
        await app.initialize()
        await self.services.store.open()  # as the process opens it before reaching Telegram
        await self.intake.open(app)
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await self.intake.answer(app)
        if self.intake.by_webhook:
            return
        assert app.updater is not None

        def polling_failed(error: TelegramError) -> None:
            # As run_polling does: polling errors go to the error handlers.
            app.create_task(app.process_error(None, error))

        await app.updater.start_polling(
            poll_interval=0,
            timeout=1,
            allowed_updates=ALLOWED_UPDATES,
            error_callback=polling_failed,
        )

    async def stop(self) -> None:
        app = self.app
        assert app.updater is not None
        if app.updater.running:
            await self.telegram.wake_pollers()
            await app.updater.stop()
        await self.intake.stop_reading(1.0)
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await self.intake.close()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
