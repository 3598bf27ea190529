"""Entry point: `python -m bot` (or the `telethread` console script)."""

from __future__ import annotations

import logging
import os
import sys

from dotenv import find_dotenv, load_dotenv


def main() -> None:
    # The .env of the directory the bot is started from; real environment variables win.
    load_dotenv(find_dotenv(usecwd=True))
    # Opt in to python-telegram-bot's coming behaviour (durations as timedelta), without warnings.
    os.environ.setdefault("PTB_TIMEDELTA", "true")

    from bot.application import build_application
    from bot.config import ConfigError, load_config
    from bot.handlers import ALLOWED_UPDATES
    from bot.logging_setup import configure_logging
    from bot.personas import PersonaFileError

    try:
        config = load_config(os.environ)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    configure_logging(config.log_level, config.secrets)
    try:
        application = build_application(config)
    except (PersonaFileError, OSError) as exc:
        logging.getLogger("bot").error("Cannot start: %s", exc)
        sys.exit(2)
    # Pending updates are kept: messages sent while the bot was down are answered on start.
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


if __name__ == "__main__":
    main()
