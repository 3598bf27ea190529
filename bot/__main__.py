"""Entry point: `python -m bot` (or the `telethread` console script)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from dotenv import find_dotenv, load_dotenv

HELP = """\
Telethread: a Telegram bot that gives every chat its own AI conversation.

usage: python -m bot [COMMAND]

  (none)        run the bot (reads .env from this folder and the environment; see .env.example)
  health        is the running bot healthy? exit 0 if so (Docker's HEALTHCHECK runs it)
  backup PATH   a consistent copy of the database (DATABASE_PATH), safe while the bot runs
  help          this text

./run.sh wraps these and adds: test, test-real, bench (./run.sh help)."""
USAGE = "usage: python -m bot [health | backup PATH | help]"


def main() -> None:
    # The .env of the directory the bot is started from; real environment variables win.
    load_dotenv(find_dotenv(usecwd=True))
    if len(sys.argv) > 1:
        sys.exit(command(sys.argv[1:]))
    # Opt in to python-telegram-bot's coming behaviour (durations as timedelta), without warnings.
    os.environ.setdefault("PTB_TIMEDELTA", "true")

    from bot.application import build_application
    from bot.config import ConfigError, load_config
    from bot.lifecycle import redact_uncaught, run
    from bot.logging_setup import configure_logging
    from bot.personas import PersonaFileError
    from bot.services import Services

    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    configure_logging(config.log_level, config.secrets, json_lines=config.log_format == "json")
    redact_uncaught()
    try:
        application = build_application(config)
    except (PersonaFileError, OSError) as exc:
        logging.getLogger("bot").error("Cannot start: %s", exc)
        sys.exit(2)
    services = application.bot_data["services"]
    assert isinstance(services, Services)
    code = asyncio.run(run(application, services))
    # Everything is closed. Skip the interpreter's teardown (a few hundred ms of freeing
    # modules, during which a late stop signal would kill the process with its default action).
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def command(args: list[str]) -> int:
    """The owner's commands beside running the bot; exit codes as for the bot (2: usage)."""
    from bot.config import default

    if args[0] in ("help", "-h", "--help"):
        print(HELP)
        return 0
    database = Path(os.environ.get("DATABASE_PATH") or default("database_path"))
    if args == ["health"]:
        return health(database, max_age=3 * default("heartbeat_interval"))
    if len(args) == 2 and args[0] == "backup":
        return backup(database, Path(args[1]))
    print(USAGE, file=sys.stderr)
    return 2


def health(database: Path, *, max_age: float) -> int:
    """0 while the running bot keeps writing its heartbeat (for Docker's HEALTHCHECK); 1 while
    it is starting (Docker's start period ignores that) or unhealthy."""
    from storage.health import read_health

    report = read_health(database, max_age=max_age)
    print(report)
    return 0 if report.state == "healthy" else 1


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
