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
  backup PATH   a consistent copy of the database, safe while the bot runs (SQLite: a file;
                PostgreSQL: a pg_dump archive)
  migrate-to-postgres [URL]
                copy the SQLite bot (DATABASE_PATH) into an empty PostgreSQL database (URL, or
                DATABASE_URL), with the bot stopped
  help          this text

./run.sh wraps these and adds: test, test-real, bench (./run.sh help)."""
USAGE = "usage: python -m bot [health | backup PATH | migrate-to-postgres [URL] | help]"


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
    url = os.environ.get("DATABASE_URL") or None
    from bot import owner_commands

    if args == ["health"]:
        return owner_commands.health(database, url, max_age=3 * default("heartbeat_interval"))
    if len(args) == 2 and args[0] == "backup":
        return owner_commands.backup(database, url, Path(args[1]))
    if args[0] == "migrate-to-postgres" and len(args) <= 2:
        target = args[1] if len(args) == 2 else url
        return owner_commands.migrate_to_postgres(database, target)
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    main()
