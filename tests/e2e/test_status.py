"""/status for the owners: what runs, how long, what waits, the last error; nobody else sees it."""

from __future__ import annotations

import logging
import socket

import pytest

from bot.texts import ENGLISH
from storage.postgres_engine import describe
from tests.conftest import ConfigFactory, Person, StartBot, both_engines, responses_only


@responses_only
@both_engines
async def test_an_owner_gets_the_status_and_others_do_not(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    bob: Person,
    database_url: str | None,
) -> None:
    config = make_config({"ADMIN_USERS": str(alice.user["id"])})
    await start_bot(config)
    logging.getLogger("bot.test").error("Something broke near sk-test-key-secret")

    alice.say("/status")
    [report] = await alice.replies(1)
    bob.say("/status")
    [refusal] = await bob.replies(1)

    assert report.startswith("Telethread ")
    assert "backend: responses, model: gpt-test" in report
    assert "messages waiting: 0" in report and "turns running: 0" in report
    assert "last error: 0 s ago: Something broke" in report
    where = (
        f"postgresql at {describe(database_url)}"
        if database_url
        else f"sqlite at {config.database_path}"
    )
    assert f"database: {where}" in report
    assert refusal == ENGLISH.unknown_command


@responses_only
async def test_the_status_names_the_tools_on_offer(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person
) -> None:
    env = {"ADMIN_USERS": str(alice.user["id"]), "TOOLS_OFF": "web_search", "IMAGE_COMMAND": "on"}
    await start_bot(make_config(env))

    alice.say("/status")
    [report] = await alice.replies(1)

    assert (
        "tools: code_interpreter, file_search, image_generation (off: web_search), /image on"
        in report
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "model server: 127.0.0.1 is reachable and offers gpt-test"),
        ({"OPENAI_API_KEY": "sk-wrong"}, "rejected OPENAI_API_KEY (AuthenticationError 401"),
        ({"OPENAI_MODEL": "gpt-misspelt"}, "does not offer OPENAI_MODEL=gpt-misspelt"),
    ],
    ids=["fine", "wrong key", "unknown model"],
)
@responses_only
async def test_the_status_says_whether_the_model_server_takes_the_key_and_the_model(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    env: dict[str, str],
    expected: str,
) -> None:
    await start_bot(make_config({"ADMIN_USERS": str(alice.user["id"]), **env}))

    alice.say("/status")
    [report] = await alice.replies(1)

    assert expected in report
    assert "sk-wrong" not in report


@responses_only
async def test_the_status_says_the_model_server_is_unreachable_and_why(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    await start_bot(make_config({"ADMIN_USERS": str(alice.user["id"]), "OPENAI_BASE_URL": closed}))

    alice.say("/status")
    [report] = await alice.replies(1)

    assert "model server: 127.0.0.1 is unreachable (APIConnectionError (ConnectError:" in report
