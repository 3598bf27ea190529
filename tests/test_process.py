"""The bot as its owner runs it: `python -m bot` in its own process, configured by environment."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import Person, fake_env
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent


async def start_process(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def test_python_m_bot_answers_a_private_message_and_stops_on_sigterm(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    env = fake_env(telegram, openai_server, tmp_path / "data" / "bot.sqlite3")
    process = await start_process({**env, "LOG_LEVEL": "DEBUG"}, tmp_path)
    try:
        alice.say("Hello from a real process")
        [answer] = await alice.replies(1, within=30)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)

    log = output.decode()
    assert "Hello from a real process" in answer
    assert process.returncode == 0, log
    assert (tmp_path / "data" / "bot.sqlite3").is_file()
    assert "Telethread stopped" in log
    assert telegram.token not in log
    assert openai_server.api_key not in log


async def test_missing_configuration_is_named_without_printing_secrets(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    env = fake_env(telegram, openai_server, tmp_path / "bot.sqlite3")
    env.pop("OPENAI_API_KEY")
    env["RESPONSE_TIMEOUT"] = "soon"

    process = await start_process(env, tmp_path)
    output, _ = await asyncio.wait_for(process.communicate(), 30)

    text = output.decode()
    assert process.returncode == 2
    assert "OPENAI_API_KEY is not set" in text
    assert "RESPONSE_TIMEOUT must be a number" in text
    assert telegram.token not in text
