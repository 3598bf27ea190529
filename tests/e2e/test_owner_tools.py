"""The owner's own tools through MCP: a real MCP server (tests/servers/mcp_tools.py, written with
the SDK) named in the personas file; the model calls its tools, the bot runs them and the
model answers from their results — asked first where the owner wants it, said plainly when a
tool fails or hangs, and never run twice across a restart."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.engine.function_calls import CUT_SHORT, DECLINED
from bot.texts import ENGLISH
from tests.conftest import ConfigFactory, Person, StartBot, both_engines
from tests.fakes.openai_model import Turn
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.fakes.telegram_server import BOT_USERNAME, FakeTelegram
from tests.running_bot import RunningBot
from tests.servers.running import McpServerProcess

# The backends that run the owner's tools (each speaks function calls its own way).
pytestmark = pytest.mark.parametrize("backend", ["responses", "assistants", "chat"], indirect=True)


@pytest.fixture(scope="module")
def house_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpServerProcess]:
    server = McpServerProcess(tmp_path_factory.mktemp("house") / "journal.jsonl")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def house(house_server: McpServerProcess, monkeypatch: pytest.MonkeyPatch) -> McpServerProcess:
    """The server with an empty journal, and its token where the personas file reads it."""
    house_server.journal.write_text("")
    monkeypatch.setenv("HOUSE_TOKEN", house_server.token)
    return house_server


def personas_file(tmp_path: Path, server: str, *, extra: str = "") -> Path:
    path = tmp_path / "personas.toml"
    path.write_text(
        f"""
{server}
confirm = ["add_event"]
timeout = 2
{extra}

[[persona]]
name = "family"
title = "Family helper"
description = "Knows the house."
instructions = "You help the family."
mcp = ["house"]

[[persona]]
name = "plain"
title = "Plain"
instructions = "You chat."
"""
    )
    return path


def over_http(house: McpServerProcess) -> str:
    return f"""[mcp.house]
url = "{house.url}"
headers = {{ Authorization = "Bearer ${{HOUSE_TOKEN}}" }}"""


@pytest.fixture
async def family_bot(
    start_bot: StartBot, make_config: ConfigFactory, house: McpServerProcess, tmp_path: Path
) -> RunningBot:
    path = personas_file(tmp_path, over_http(house))
    return await start_bot(make_config({"PERSONAS_FILE": str(path)}))


def offered(turn: Turn) -> set[str]:
    names = set()
    for tool in turn.request.get("tools") or []:
        if tool.get("type") == "function":
            names.add(str((tool.get("function") or tool)["name"]))
    return names


def weather_call(city: str = "Oslo") -> Reply:
    return Reply(calls=[("house__weather", {"city": city})])


async def test_the_model_calls_a_tool_and_answers_from_its_result(
    family_bot: RunningBot,
    alice: Person,
    openai_server: FakeOpenAI,
    house: McpServerProcess,
    telegram: FakeTelegram,
) -> None:
    openai_server.replies.append(weather_call())
    alice.say("what's the weather in Oslo?")

    [answer] = await alice.replies(1)

    first, second = openai_server.turns
    assert offered(first) == {
        "house__weather", "house__add_event", "house__broken", "house__hang"
    }  # fmt: skip
    assert "Weather in Oslo: snow, -4 °C" in second.input
    assert answer == second.text and "snow, -4 °C" in answer
    assert [c["city"] for c in house.calls("weather", "end")] == ["Oslo"]
    assert any(d.text == ENGLISH.status_asking.format(server="house") for d in telegram.drafts)


async def test_a_persona_without_the_server_offers_no_tools(
    family_bot: RunningBot, alice: Person, openai_server: FakeOpenAI
) -> None:
    alice.say("/persona plain")
    await alice.replies(1)
    openai_server.replies.append(weather_call())
    alice.say("what's the weather in Oslo?")

    [_, answer] = await alice.replies(2)

    [turn] = openai_server.turns
    assert offered(turn) == set() and answer == turn.text


async def test_persona_shows_the_tools_it_may_use(family_bot: RunningBot, alice: Person) -> None:
    alice.say("/persona")

    [menu] = await alice.replies(1)

    assert "house: weather, add_event, broken, hang" in menu


async def test_a_tool_that_changes_things_runs_only_after_yes(
    family_bot: RunningBot,
    alice: Person,
    openai_server: FakeOpenAI,
    house: McpServerProcess,
    telegram: FakeTelegram,
) -> None:
    openai_server.replies.append(
        Reply(calls=[("house__add_event", {"title": "Dentist", "day": "Friday"})])
    )
    alice.say("put the dentist in the calendar on Friday")

    [question] = await alice.replies(1)
    assert "add_event" in question and "Dentist" in question
    assert house.calls("add_event") == []
    asked = telegram.calls_to("sendMessage", alice.chat_id)[-1].result
    yes = asked["reply_markup"]["inline_keyboard"][0][0]
    assert yes["text"] == ENGLISH.confirm_yes
    telegram.push_callback(alice.user, asked, yes["callback_data"])

    [_, answer] = await alice.replies(2)

    assert [c["title"] for c in house.calls("add_event", "end")] == ["Dentist"]
    assert "Added 'Dentist' on Friday." in openai_server.turns[-1].input
    assert answer == openai_server.turns[-1].text
    edited = telegram.calls_to("editMessageText", alice.chat_id)
    assert edited and edited[-1].params["text"].endswith(ENGLISH.confirm_said_yes)


async def test_no_means_the_tool_does_not_run(
    family_bot: RunningBot,
    alice: Person,
    openai_server: FakeOpenAI,
    house: McpServerProcess,
    telegram: FakeTelegram,
) -> None:
    openai_server.replies.append(
        Reply(calls=[("house__add_event", {"title": "Party", "day": "Sunday"})])
    )
    alice.say("add the party on Sunday")
    await alice.replies(1)
    asked = telegram.calls_to("sendMessage", alice.chat_id)[-1].result
    no = asked["reply_markup"]["inline_keyboard"][0][1]
    telegram.push_callback(alice.user, asked, no["callback_data"])

    [_, answer] = await alice.replies(2)

    assert house.calls("add_event") == []
    assert DECLINED in openai_server.turns[-1].input
    assert answer == openai_server.turns[-1].text


async def test_only_the_asker_answers_a_question_in_a_group(
    family_bot: RunningBot,
    alice: Person,
    bob: Person,
    group: dict[str, Any],
    openai_server: FakeOpenAI,
    house: McpServerProcess,
    telegram: FakeTelegram,
) -> None:
    openai_server.replies.append(
        Reply(calls=[("house__add_event", {"title": "Match", "day": "Saturday"})])
    )
    alice.say_in(group, f"@{BOT_USERNAME} add the match on Saturday")
    await telegram.wait_for_messages(group["id"], 1)
    asked = telegram.calls_to("sendMessage", group["id"])[-1].result
    yes = asked["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    telegram.push_callback(bob.user, asked, yes)
    await telegram.wait_until(
        lambda: any(
            c.params.get("text") == ENGLISH.confirm_not_yours
            for c in telegram.calls_to("answerCallbackQuery")
        )
    )
    assert house.calls("add_event") == []
    telegram.push_callback(alice.user, asked, yes)
    await telegram.wait_for_messages(group["id"], 2)

    assert [c["title"] for c in house.calls("add_event", "end")] == ["Match"]


async def test_a_failing_tool_is_one_sentence_and_the_answer_goes_on(
    family_bot: RunningBot,
    alice: Person,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    openai_server.replies.append(Reply(calls=[("house__broken", {})]))
    alice.say("check the calendar")

    notice, answer = await alice.replies(2)

    assert notice == "⚠️ house could not do that just now; I'll answer without it."
    assert openai_server.turns[-1].input.startswith("Error: ")
    assert answer == openai_server.turns[-1].text
    assert "MCP house: broken reported an error" in caplog.text


async def test_a_tool_that_hangs_is_given_up_after_its_timeout(
    family_bot: RunningBot, alice: Person, openai_server: FakeOpenAI, house: McpServerProcess
) -> None:
    openai_server.replies.append(Reply(calls=[("house__hang", {})]))
    alice.say("wait for it")

    notice, answer = await alice.replies(2, within=15)

    assert notice.startswith("⚠️ house")
    assert "within 2 seconds" in openai_server.turns[-1].input
    assert answer == openai_server.turns[-1].text
    assert len(house.calls("hang")) == 1


async def test_the_credentials_reach_the_server_but_never_the_model_or_the_log(
    family_bot: RunningBot,
    alice: Person,
    openai_server: FakeOpenAI,
    house: McpServerProcess,
    caplog: pytest.LogCaptureFixture,
) -> None:
    openai_server.replies.append(weather_call("Lisbon"))
    alice.say("weather in Lisbon?")
    await alice.replies(1)

    assert house.calls("weather", "end")  # the server took the token
    for turn in openai_server.turns:
        assert house.token not in json.dumps(turn.request)
    assert house.token not in caplog.text


async def test_a_server_that_is_down_costs_its_tools_not_the_start(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = personas_file(tmp_path, '[mcp.house]\nurl = "http://127.0.0.1:9/mcp"')
    await start_bot(make_config({"PERSONAS_FILE": str(path)}))
    alice.say("/persona")
    [menu] = await alice.replies(1)
    alice.say("hello")
    [_, answer] = await alice.replies(2)

    assert ENGLISH.function_unreachable.format(server="house") in menu
    [turn] = openai_server.turns
    assert offered(turn) == set() and answer == turn.text
    assert "MCP server house (http://127.0.0.1:9/mcp) cannot be reached" in caplog.text


async def test_a_local_server_started_as_a_command(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    house: McpServerProcess,
    tmp_path: Path,
) -> None:
    command = json.dumps([*house.command(), "--stdio"])
    path = personas_file(tmp_path, f"[mcp.house]\ncommand = {command}")
    await start_bot(make_config({"PERSONAS_FILE": str(path)}))
    openai_server.replies.append(weather_call("Recife"))
    alice.say("weather in Recife?")

    [answer] = await alice.replies(1)

    assert "rain, 27 °C" in openai_server.turns[-1].input and answer
    assert [c["city"] for c in house.calls("weather", "end")] == ["Recife"]


@both_engines  # the call log lives and dies with its inbox entry on each engine
async def test_a_call_cut_short_by_a_restart_is_not_run_again(
    start_bot: StartBot,
    make_config: ConfigFactory,
    alice: Person,
    openai_server: FakeOpenAI,
    house: McpServerProcess,
    telegram: FakeTelegram,
    tmp_path: Path,
) -> None:
    path = personas_file(tmp_path, over_http(house), extra="")
    path.write_text(path.read_text().replace("timeout = 2", "timeout = 60"))
    config = make_config({"PERSONAS_FILE": str(path)}, shutdown_grace=0.0)
    first = await start_bot(config)
    # The model asks for it again when the turn resumes (the chat backend runs it anew).
    openai_server.replies.extend([Reply(calls=[("house__hang", {})]) for _ in range(2)])
    alice.say("wait for it")
    await house.started("hang")
    first.services.stop_now.set()
    await first.stop()

    await start_bot(config)
    [answer] = await alice.replies(1, within=15)

    assert CUT_SHORT in openai_server.turns[-1].input
    assert answer == openai_server.turns[-1].text
    assert len(house.calls("hang")) == 1


@pytest.fixture(autouse=True)
def _quiet_sdk(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
