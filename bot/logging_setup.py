"""Logging for the bot process, with secrets scrubbed from every line (tracebacks included)."""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Iterable
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[REDACTED]"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with each secret replaced by a marker."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFormatter(logging.Formatter):
    """Replaces each secret wherever it appears in the formatted record."""

    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


class JsonFormatter(RedactingFormatter):
    """One JSON object per line (LOG_FORMAT=json) for log collectors; scrubbed the same way."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False), self._secrets)


class LastError(logging.Handler):
    """Remembers the latest ERROR line (for /status), already scrubbed of secrets."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__(logging.ERROR)
        self._secrets = tuple(s for s in secrets if s)
        self.seen: tuple[float, str] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.seen = (record.created, redact(record.getMessage(), self._secrets)[:300])


class LogTail(logging.Handler):
    """The last lines logged (INFO and up), scrubbed like every line: the owner's status page."""

    def __init__(self, secrets: Iterable[str], lines: int = 200) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(RedactingFormatter(secrets))
        self._lines: deque[str] = deque(maxlen=lines)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(self.format(record).splitlines()[0][:500])
        except Exception:  # a line that cannot be formatted is not worth a crash
            self.handleError(record)

    def last(self, count: int) -> list[str]:
        return list(self._lines)[-count:]


def configure_logging(
    level: str, secrets: Iterable[str], stream: TextIO | None = None, *, json_lines: bool = False
) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(secrets) if json_lines else RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram's URLs contain the bot token.
    for noisy in ("httpx", "httpcore", "httpx2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # At DEBUG these would bury the bot's own lines: every SQL statement in full (the schema's
    # migrations are pages long) and every Markdown parsing rule tried.
    for chatty in ("aiosqlite", "markdown_it"):
        logging.getLogger(chatty).setLevel(logging.INFO)
    # The pool writes three lines per reconnection attempt while PostgreSQL is away; the bot's
    # own line for each write it could not make says it once, with what it could not keep.
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
