"""The health probe against a running bot, on both engines: healthy while it polls, unhealthy
once it stops."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.owner_commands import health
from tests.conftest import ConfigFactory, StartBot, both_engines, responses_only
from tests.fakes.telegram_server import FakeTelegram


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    """Time itself is what changes here (a heartbeat goes stale): poll the probe as Docker does."""
    for _ in range(int(within / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the health probe did not change within {within} s")


@responses_only  # the heartbeat is the same on every backend
@both_engines
async def test_health_follows_the_bots_polling(
    start_bot: StartBot, make_config: ConfigFactory, telegram: FakeTelegram
) -> None:
    config = make_config(heartbeat_interval=0.05)
    bot = await start_bot(config)

    await eventually(lambda: health(config.database_path, config.database_url, max_age=1.0) == 0)
    assert bot.intake.updater is not None
    await telegram.wake_pollers()  # end the pending long poll now
    await bot.intake.updater.stop()  # polling ends; the process and its database live on

    await eventually(lambda: health(config.database_path, config.database_url, max_age=0.3) == 1)
