"""No secret in anything the process writes, whatever goes wrong: every byte of its output is
scanned for the bot token (and its secret half), the API key and the database's password. The
start-up failures each have their own process test (test_process, test_postgres_process);
these cover what happens while it runs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import TURN_PATHS, Person, both_engines, fake_env
from tests.e2e.test_process import ROOT, start_process, wait_for_exit
from tests.fakes.openai_server import FakeOpenAI, error_body
from tests.fakes.telegram_server import FakeTelegram

# In DATABASE_URL on PostgreSQL (the test server trusts loopback, so any password is taken).
DATABASE_PASSWORD = "Db-secret-7d1e2f9a"


def secrets_in(output: str, telegram: FakeTelegram, openai_server: FakeOpenAI) -> list[str]:
    token_secret = telegram.token.split(":", 1)[1]
    secrets = (telegram.token, token_secret, openai_server.api_key, DATABASE_PASSWORD)
    return [s for s in secrets if s in output]


@both_engines
async def test_no_secret_is_written_through_outages_and_rejected_keys(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alice: Person,
    tmp_path: Path,
    database_url: str | None,
) -> None:
    database = tmp_path / "bot.sqlite3"
    url = database_url and database_url.replace("postgres@", f"postgres:{DATABASE_PASSWORD}@")
    # DEBUG: the most the process ever writes, PTB's and the HTTP clients' own lines included.
    env = {**fake_env(telegram, openai_server, database, url), "LOG_LEVEL": "DEBUG"}
    env["ERROR_CHAT_ID"] = str(alice.chat_id)  # operator reports go to a chat: scanned too
    process = await start_process(env, tmp_path)
    try:
        alice.say("hello")
        await alice.replies(1, within=30)

        await telegram.go_down()  # Telegram unreachable mid-run
        alice.say("during the outage")
        await telegram.wait_until(lambda: any(not c.ok for c in telegram.calls))
        telegram.come_back()
        await alice.replies(2, within=30)

        # The API rejects the key, quoting it in full (the worst an error message could do).
        quoting = error_body(
            f"Incorrect API key provided: {openai_server.api_key}.", code="invalid_api_key"
        )
        openai_server.fail("POST", TURN_PATHS["responses"], 401, quoting, count=5)
        alice.say("after the key was revoked")
        await alice.replies(3, within=30)
    finally:
        process.send_signal(signal.SIGTERM)
        log = await wait_for_exit(process)

    assert process.returncode == 0, log
    assert "Telegram is reachable again" in log and "misconfigured" in log.lower()
    assert secrets_in(log, telegram, openai_server) == []
    sent = " ".join(str(call.params) for call in telegram.calls)  # what users and reports got
    assert secrets_in(sent, telegram, openai_server) == []


async def test_uncaught_exceptions_and_warnings_are_scrubbed(tmp_path: Path) -> None:
    secret = "123456:SECRET-token-in-an-uncaught-error"
    script = f"""
import threading, warnings
from bot.logging_setup import configure_logging
from bot.lifecycle import redact_uncaught
configure_logging("INFO", [{secret!r}])
redact_uncaught()
warnings.warn("a warning quoting {secret}")
thread = threading.Thread(target=lambda: 1 / 0 if False else exec("raise KeyError({secret!r})"))
thread.start(); thread.join()
raise RuntimeError("an error quoting {secret}")
"""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 30)

    log = output.decode()
    assert process.returncode == 1
    assert "a warning quoting [REDACTED]" in log
    assert "KeyError: '[REDACTED]'" in log
    assert "RuntimeError: an error quoting [REDACTED]" in log
    assert secret not in log and secret.split(":")[1] not in log
