"""Entry point: `python -m bot` (or the `telethread` console script)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from dotenv import find_dotenv, load_dotenv

USAGE = "usage: python -m bot [backup PATH | health]"


def main() -> None:
    # The .env of the directory the bot is started from; real environment variables win.
    load_dotenv(find_dotenv(usecwd=True))
    if len(sys.argv) > 1:
        sys.exit(command(sys.argv[1:]))
    # Opt in to python-telegram-bot's coming behaviour (durations as timedelta), without warnings.
    os.environ.setdefault("PTB_TIMEDELTA", "true")

    from bot.application import build_application
    from bot.config import ConfigError, load_config
    from bot.handlers import ALLOWED_UPDATES
    from bot.logging_setup import configure_logging
    from bot.personas import PersonaFileError
    from bot.startup import TokenRejected, connect, redact_uncaught
    from storage import StorageUnavailable

    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    configure_logging(config.log_level, config.secrets, json_lines=config.log_format == "json")
    redact_uncaught()
    log = logging.getLogger("bot")
    try:
        application = build_application(config)
    except (PersonaFileError, OSError) as exc:
        log.error("Cannot start: %s", exc)
        sys.exit(2)
    # Reach Telegram first (patiently) on the loop run_polling will use, so a wrong token or a
    # missing network is one clear line instead of a traceback.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    connecting = loop.create_task(connect(application))
    for stop in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop, connecting.cancel)
    try:
        loop.run_until_complete(connecting)
    except TokenRejected:
        log.error(
            "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): copy it again from @BotFather"
        )
        sys.exit(2)
    except asyncio.CancelledError:
        log.info("Stopped before Telegram could be reached")
        return
    finally:
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(stop)
    # Pending updates are kept: messages sent while the bot was down are answered on start.
    try:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except StorageUnavailable as exc:  # at start: a corrupt, read-only or unreachable file
        log.error("Cannot start: %s", exc)
        sys.exit(2)


def command(args: list[str]) -> int:
    """The owner's commands beside running the bot; exit codes as for the bot (2: usage)."""
    from bot.config import default

    database = Path(os.environ.get("DATABASE_PATH") or default("database_path"))
    if args == ["health"]:
        return health(database, max_age=3 * default("heartbeat_interval"))
    if len(args) == 2 and args[0] == "backup":
        return backup(database, Path(args[1]))
    print(USAGE, file=sys.stderr)
    return 2


def health(database: Path, *, max_age: float) -> int:
    """0 while the running bot keeps writing its heartbeat (for Docker's HEALTHCHECK)."""
    import sqlite3

    from storage.health import heartbeat_age

    try:
        age = heartbeat_age(database)
    except (LookupError, sqlite3.Error) as exc:
        print(f"unhealthy: {exc}")
        return 1
    if age > max_age:
        print(f"unhealthy: no heartbeat for {age:.0f} s (the bot stopped polling or is stuck)")
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0


def backup(database: Path, target: Path) -> int:
    from storage.backup import BackupError
    from storage.backup import backup as copy_database

    try:
        chats = copy_database(database, target)
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Backed up {database} to {target} ({chats} conversations)")
    return 0


if __name__ == "__main__":
    main()
