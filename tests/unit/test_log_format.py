"""LOG_FORMAT=json: one JSON object per line, scrubbed of secrets like the text format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import configure_logging

SECRET = "sk-test-key-secret-0123"


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_logs_are_one_object_per_line_and_scrubbed(root_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", [SECRET], stream, json_lines=True)

    logging.getLogger("bot.test").warning("key is %s", SECRET)
    try:
        raise ValueError(f"bad {SECRET}")
    except ValueError:
        logging.getLogger("bot.test").exception("failed")

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (first["level"], first["logger"]) == ("WARNING", "bot.test")
    assert first["message"] == "key is [REDACTED]"
    assert "ValueError: bad [REDACTED]" in second["exception"]
    assert SECRET not in stream.getvalue()
