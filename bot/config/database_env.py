"""DATABASE_URL and DATABASE_POOL_SIZE: PostgreSQL instead of the SQLite file, when set."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from bot.config.env_reader import EnvReader
from bot.config.fields import default

SCHEMES = ("postgresql", "postgres")
MIN_PASSWORD = 4  # shorter ones would blank out ordinary words in the log


def read_database(read: EnvReader) -> dict[str, Any]:
    """The Config fields of the database; the URL's password joins the secrets."""
    url = read.text("DATABASE_URL")
    pool_size = read.whole("DATABASE_POOL_SIZE", None) or default("database_pool_size")
    if url is None:
        return {"database_pool_size": pool_size}
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        parts, password = None, None
    if parts is None or parts.scheme not in SCHEMES or not parts.hostname:
        read.problems.append(
            "DATABASE_URL must be a PostgreSQL address: postgresql://USER:PASSWORD@HOST:5432/"
            "DATABASE (leave it unset for the SQLite file at DATABASE_PATH)"
        )
        return {"database_pool_size": pool_size}
    hidden = {password, unquote(password)} if password else set()
    return {
        "database_url": url,
        "database_pool_size": pool_size,
        "database_secrets": tuple(sorted(p for p in hidden if len(p) >= MIN_PASSWORD)),
    }
