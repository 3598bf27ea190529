"""Start-up checks what it can before waiting for Telegram: each problem one line naming the fix."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import fake_env
from tests.e2e.test_process import ROOT, run_to_exit, start_process
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram


async def lines_until(
    process: asyncio.subprocess.Process, done: Callable[[str], bool], within: float = 30
) -> str:
    """What a `live` process printed, up to the line after which `done(all of it)` is true."""
    assert process.stdout is not None
    printed = ""
    async with asyncio.timeout(within):
        while not done(printed):
            line = (await process.stdout.readline()).decode()
            if not line:
                break
            printed += line
    return printed


async def test_an_unusable_database_path_is_named_at_once_without_waiting_for_telegram(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    await telegram.go_down()  # start-up must not wait for Telegram to say this
    (tmp_path / "a-file").write_text("not a folder")
    database = tmp_path / "a-file" / "bot.sqlite3"

    code, log = await run_to_exit(fake_env(telegram, openai_server, database), tmp_path)

    assert code == 2, log
    assert f"Cannot start: cannot use the database at {database}" in log
    assert "check DATABASE_PATH" in log
    assert telegram.calls == []
    assert "Traceback" not in log


async def test_a_wrong_key_and_an_empty_allowed_users_are_one_line_each_and_the_bot_starts(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    env = {
        **fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"),
        "OPENAI_API_KEY": "sk-wrong-key-0123456789",
        "ALLOWED_USERS": "",
        "LOG_LEVEL": "INFO",
    }
    process = await start_process(env, tmp_path, live=True)
    try:
        log = await lines_until(
            process, lambda text: "Telethread started" in text and "Model server:" in text
        )
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), 30)
    log += rest.decode()

    assert process.returncode == 0, log
    [key_line] = [line for line in log.splitlines() if "Model server:" in line]
    assert "ERROR" in key_line
    assert "127.0.0.1 rejected OPENAI_API_KEY (AuthenticationError 401 invalid_api_key)" in key_line
    [access_line] = [line for line in log.splitlines() if "Nobody may talk" in line]
    assert "write to it in Telegram to learn your id" in access_line
    assert "sk-wrong-key-0123456789" not in log and "Traceback" not in log


async def test_a_new_database_is_one_line_not_one_per_migration(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    env = {**fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"), "LOG_LEVEL": "INFO"}
    process = await start_process(env, tmp_path, live=True)
    try:
        log = await lines_until(process, lambda text: "Telethread started" in text)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)

    assert "Applying database migration" not in log
    [created] = [line for line in log.splitlines() if "database" in line.lower()]
    assert f"Created the database at {tmp_path / 'bot.sqlite3'}" in created


async def run_health(env: dict[str, str], cwd: Path) -> tuple[int | None, str]:
    """`python -m bot health` beside the running bot: its exit code and its line."""
    probe = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "health", cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(probe.communicate(), 30)
    return probe.returncode, output.decode()


async def test_health_is_starting_until_the_bot_polls_then_healthy(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    await telegram.go_down()  # the bot starts, and waits for Telegram
    env = {**fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"), "LOG_LEVEL": "INFO"}
    process = await start_process(env, tmp_path, live=True)
    try:
        await lines_until(process, lambda text: "Telegram is not reachable" in text)
        starting = await run_health(env, tmp_path)
        telegram.come_back()
        await lines_until(process, lambda text: "Application started" in text)
        healthy = await run_health(env, tmp_path)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 30)

    assert starting[0] == 1 and starting[1].startswith("starting: the bot started"), starting
    assert healthy[0] == 0 and healthy[1].startswith("healthy: last heartbeat"), healthy


def _webhook(port: int) -> dict[str, str]:
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": "a-webhook-secret-of-24-chars",
        "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }


def _web_pages(port: int) -> dict[str, str]:
    return {"WEB_LISTEN": f"127.0.0.1:{port}"}


@pytest.mark.parametrize(
    ("settings", "line", "setting"),
    [
        (_webhook, "cannot take webhooks on", "WEBHOOK_LISTEN"),
        (_web_pages, "cannot serve the web pages on", "WEB_LISTEN"),
    ],
)
async def test_an_address_already_taken_is_one_line_at_start(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    tmp_path: Path,
    settings: Callable[[int], dict[str, str]],
    line: str,
    setting: str,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"), **settings(port)}
        code, log = await run_to_exit(env, tmp_path)

    assert code == 2, log
    assert f"Cannot start: {line} 127.0.0.1:{port}: " in log
    assert f"(check {setting})" in log and "Traceback" not in log
