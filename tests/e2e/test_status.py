"""/status for the owners: what runs, how long, what waits, the last error; nobody else sees it."""

from __future__ import annotations

import logging

from bot.texts import ENGLISH
from tests.conftest import ConfigFactory, Person, StartBot, responses_only


@responses_only
async def test_an_owner_gets_the_status_and_others_do_not(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person, bob: Person
) -> None:
    await start_bot(make_config({"ADMIN_USERS": str(alice.user["id"])}))
    logging.getLogger("bot.test").error("Something broke near sk-test-key-secret")

    alice.say("/status")
    [report] = await alice.replies(1)
    bob.say("/status")
    [refusal] = await bob.replies(1)

    assert report.startswith("Telethread ")
    assert "backend: responses, model: gpt-test" in report
    assert "messages waiting: 0" in report and "turns running: 0" in report
    assert "last error: 0 s ago: Something broke" in report
    assert refusal == ENGLISH.unknown_command


@responses_only
async def test_the_status_names_the_tools_on_offer(
    start_bot: StartBot, make_config: ConfigFactory, alice: Person
) -> None:
    env = {"ADMIN_USERS": str(alice.user["id"]), "TOOLS_OFF": "web_search", "IMAGE_COMMAND": "on"}
    await start_bot(make_config(env))

    alice.say("/status")
    [report] = await alice.replies(1)

    assert "tools: code_interpreter, image_generation (off: web_search), /image on" in report
