"""The bot as its owner runs it: `python -m bot` in its own process, configured by environment."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
import weakref
from pathlib import Path

from storage.database import Database, engine_for
from tests.conftest import Person, both_engines, fake_env
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


async def start_process(
    env: dict[str, str], cwd: Path, *, live: bool = False
) -> asyncio.subprocess.Process:
    """`python -m bot` as its owner runs it. What it prints goes to a file that `wait_for_exit`
    returns: a pipe read only at the end fills (64 KB at DEBUG is soon reached) and then blocks
    every write of the bot. `live`: a pipe, for a test that reads the lines as they come."""
    output = (
        None
        if live
        else tempfile.NamedTemporaryFile(  # noqa: SIM115 (read at exit)
            dir=cwd, prefix="bot-output-", delete=False
        )
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE if output is None else output,
        stderr=asyncio.subprocess.STDOUT,
    )
    if output is not None:
        output.close()
        OUTPUTS[process] = Path(output.name)
    return process


OUTPUTS: weakref.WeakKeyDictionary[asyncio.subprocess.Process, Path] = weakref.WeakKeyDictionary()


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
        log = await wait_for_exit(process)

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
    text = await wait_for_exit(process)

    assert process.returncode == 2
    assert "OPENAI_API_KEY is not set" in text
    assert "RESPONSE_TIMEOUT must be a number" in text
    assert telegram.token not in text


async def wait_for_exit(process: asyncio.subprocess.Process, within: float = 30) -> str:
    """Everything the process printed, once it has exited."""
    if process not in OUTPUTS:
        output, _ = await asyncio.wait_for(process.communicate(), within)
        return output.decode()
    await asyncio.wait_for(process.wait(), within)
    return OUTPUTS[process].read_text(errors="replace")


def polls_only(openai_server: FakeOpenAI) -> None:
    """A server that cannot stream: polled answers are then fetched with GETs, and the first
    GET of a response shows the bot stored its id (a streamed one shows nothing outside)."""
    openai_server.responses_api.streaming_supported = False


async def start_and_hold_a_turn(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alice: Person,
    env: dict[str, str],
    cwd: Path,
) -> tuple[asyncio.subprocess.Process, asyncio.Event]:
    """Start the bot and leave it waiting on a model answer whose id it has stored."""
    process = await start_process(env, cwd)
    return process, await hold_a_turn(telegram, openai_server, alice)


async def hold_a_turn(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person
) -> asyncio.Event:
    """Alice asks; the model holds its answer (until the event is set); returns once the bot
    has stored the response's id (it polls the response only after storing it)."""
    release = asyncio.Event()
    openai_server.replies.append(Reply(hold=release))
    polls_only(openai_server)
    alice.say("Please remember this important thing")
    await telegram.wait_until(
        lambda: (
            openai_server.turns
            and openai_server.requests_to("GET", f"/responses/{openai_server.turns[0].remote_id}")
        ),
        within=30,
    )
    return release


async def restart_until_answered(env: dict[str, str], cwd: Path, alice: Person) -> str:
    """Start the bot again, wait for Alice's answer, stop it: everything it printed."""
    restarted = await start_process(env, cwd)
    try:
        await alice.replies(1, within=30)
    finally:
        restarted.send_signal(signal.SIGTERM)
        log = await wait_for_exit(restarted)
    return log


def assert_answered_exactly_once(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person
) -> None:
    [turn] = openai_server.turns
    assert telegram.sent_texts(alice.chat_id) == [turn.text]
    conversation = openai_server.conversations[turn.conversation or ""]
    assert [item["role"] for item in conversation.items] == ["user", "assistant"]


@both_engines
async def test_an_answer_pending_at_sigkill_arrives_once_after_restart(
    telegram: FakeTelegram,
    openai_server: FakeOpenAI,
    alice: Person,
    tmp_path: Path,
    database_url: str | None,
) -> None:
    database = tmp_path / "bot.sqlite3"
    env = {**fake_env(telegram, openai_server, database, database_url), "REPLY_MODE": "poll"}
    process, release = await start_and_hold_a_turn(telegram, openai_server, alice, env, tmp_path)

    process.kill()
    await wait_for_exit(process)
    release.set()  # the model finishes while the bot is down
    log = await restart_until_answered(env, tmp_path, alice)

    assert_answered_exactly_once(telegram, openai_server, alice)
    assert "Resuming 1 messages" in log
    async with Database(engine_for(database, database_url)) as store:  # billed once
        [(_, month)] = await store.ledger.top(
            "user", f"M{time.strftime('%Y-%m', time.gmtime())}", 5
        )
    assert month.answers == 1 and month.usage.output_tokens > 0


async def test_an_answer_pending_at_sigterm_is_left_for_the_next_start(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    env = {
        **fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"),
        "REPLY_MODE": "poll",  # its first poll shows that the response id is stored
        "SHUTDOWN_GRACE": "1",
    }
    process, release = await start_and_hold_a_turn(telegram, openai_server, alice, env, tmp_path)

    process.send_signal(signal.SIGTERM)
    log = await wait_for_exit(process)
    assert process.returncode == 0, log
    release.set()
    await restart_until_answered(env, tmp_path, alice)

    assert_answered_exactly_once(telegram, openai_server, alice)


async def test_an_answer_finishing_within_the_grace_period_is_delivered_before_exit(
    telegram: FakeTelegram, openai_server: FakeOpenAI, alice: Person, tmp_path: Path
) -> None:
    env = {
        **fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"),
        "REPLY_MODE": "poll",
        "SHUTDOWN_GRACE": "20",
    }
    process, release = await start_and_hold_a_turn(telegram, openai_server, alice, env, tmp_path)

    process.send_signal(signal.SIGTERM)
    release.set()
    log = await wait_for_exit(process)

    assert process.returncode == 0, log
    assert_answered_exactly_once(telegram, openai_server, alice)


async def run_to_exit(env: dict[str, str], cwd: Path) -> tuple[int | None, str]:
    """Start the bot and wait for it to give up: its exit code and everything it printed."""
    process = await start_process(env, cwd)
    output = await wait_for_exit(process)
    return process.returncode, output


async def test_the_example_token_is_a_config_error_naming_the_variable(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    example = "123456789:replace-with-the-token-from-BotFather"
    env = fake_env(telegram, openai_server, tmp_path / "bot.sqlite3")

    code, log = await run_to_exit({**env, "TELEGRAM_BOT_TOKEN": example}, tmp_path)

    assert code == 2, log
    assert "TELEGRAM_BOT_TOKEN is still the example" in log
    assert "Traceback" not in log and example not in log


async def test_a_token_telegram_rejects_is_one_line_and_never_printed(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    wrong = "999999:WRONG-token-0123456789abcdefgh"
    env = fake_env(telegram, openai_server, tmp_path / "bot.sqlite3")

    code, log = await run_to_exit({**env, "TELEGRAM_BOT_TOKEN": wrong}, tmp_path)

    assert code == 2, log
    assert "Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized)" in log
    assert "Traceback" not in log
    assert wrong not in log and wrong.split(":")[1] not in log
    assert openai_server.api_key not in log


async def test_an_unreachable_telegram_is_retried_with_a_line_per_attempt(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"),
        "TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}",
    }
    process = await start_process(env, tmp_path, live=True)
    assert process.stdout is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(30):
            while sum("Telegram is not reachable" in line for line in lines) < 2:
                lines.append((await process.stdout.readline()).decode())
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), 30)

    log = "".join(lines) + rest.decode()
    assert process.returncode == 0, log
    assert "attempt 1:" in log and "attempt 2:" in log and "trying again in 2 s" in log
    assert "Traceback" not in log
    assert telegram.token not in log and openai_server.api_key not in log


async def test_a_backup_taken_during_a_burst_holds_every_acknowledged_message(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    # WARNING: nobody reads the pipe until the end, and a full pipe would stall the bot.
    env = {
        **fake_env(telegram, openai_server, tmp_path / "bot.sqlite3"),
        "BOT_BACKEND": "chat",
        "LOG_LEVEL": "WARNING",
    }
    openai_server.model.default_reply = lambda: Reply(text="noted", delay=0.05)
    process = await start_process(env, tmp_path)
    people = [telegram.user(600 + n, f"User{n}") for n in range(30)]
    try:
        for n, user in enumerate(people):
            telegram.push_message(telegram.private_chat(user), user, f"message number {n}")
        await telegram.wait_until(lambda: len(telegram.calls_to("sendMessage")) >= 5, within=30)
        acknowledged = {  # the bot showed it had the message: it was in its inbox by then
            call.params["chat_id"]
            for call in telegram.calls
            if call.ok and call.method in ("sendChatAction", "sendMessage")
        }
        backup = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "backup", str(tmp_path / "copy.sqlite3"),
            cwd=tmp_path, env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        report, _ = await asyncio.wait_for(backup.communicate(), 30)
        await telegram.wait_until(lambda: len(telegram.calls_to("sendMessage")) >= 30, within=30)
    finally:
        process.send_signal(signal.SIGTERM)
        await wait_for_exit(process)

    assert backup.returncode == 0, report.decode()
    assert "Backed up" in report.decode()
    async with Database(tmp_path / "copy.sqlite3") as restored:  # opens as a database
        pending = [entry.text for entry in await restored.inbox.pending()]
        answered = [
            row[0] for row in await restored.engine.rows("SELECT content FROM local_messages")
        ]
    kept = " ".join(pending + answered)
    assert acknowledged
    for chat_id in acknowledged:
        assert f"message number {chat_id - 600}" in kept


async def test_health_fails_without_a_database_and_says_why(tmp_path: Path) -> None:
    env = {"DATABASE_PATH": str(tmp_path / "none.sqlite3")}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "health", cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 30)

    assert process.returncode == 1
    assert output.decode().startswith("unhealthy: there is no database")


async def test_a_corrupt_database_is_one_line_naming_the_file(
    telegram: FakeTelegram, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(b"this is not a database, just bytes " * 200)

    code, log = await run_to_exit(fake_env(telegram, openai_server, database), tmp_path)

    assert code == 2, log
    assert f"Cannot start: cannot use the database at {database}" in log
    assert "file is not a database" in log
    assert "Traceback" not in log and telegram.token not in log
    assert database.read_bytes().startswith(b"this is not a database")  # left as it was
