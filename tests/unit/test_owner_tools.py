"""The owner's tools' pure parts: the [mcp] tables, function names, caps, call keys, the
rounds of a turn that calls functions, and calls streamed in pieces."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openai.types.chat.chat_completion_chunk import ChoiceDeltaToolCall

from bot.backends import FunctionCall, FunctionSpec, TextDelta, TurnEvent, TurnInput
from bot.backends.base import TurnResult, TurnStatus
from bot.backends.chat_api.function_messages import StreamedCalls, function_messages
from bot.backends.function_rounds import MAX_ROUNDS, NOT_OFFERED, TOO_MANY, with_function_calls
from bot.engine.confirmations import Confirmations
from bot.engine.ports import Question
from bot.functions.mcp_settings import McpServerSettings, McpSettingsError, parse_mcp_servers
from bot.functions.tools import allows, call_key, capped, function_name, parsed_arguments
from bot.personas import PersonaFileError, parse_personas
from storage import TokenUsage

ROOT = Path(__file__).resolve().parents[2]


def servers(table: object, environ: dict[str, str] | None = None) -> tuple[McpServerSettings, ...]:
    return parse_mcp_servers(table, source="personas.toml", environ=environ or {})


def test_a_server_over_http_reads_its_credentials_from_the_environment() -> None:
    [server] = parse_mcp_servers(
        {
            "calendar": {
                "url": "https://cal.example/mcp",
                "headers": {"Authorization": "Bearer ${CAL_TOKEN}"},
                "confirm": ["add_event"],
                "tools": ["list_events", "add_event"],
                "timeout": 10,
            }
        },
        source="personas.toml",
        environ={"CAL_TOKEN": "s3cret"},
    )

    assert server.headers == (("Authorization", "Bearer s3cret"),)
    assert "s3cret" not in repr(server)
    assert server.offers("add_event") and not server.offers("delete_all")
    assert server.needs_confirmation("add_event") and not server.needs_confirmation("list_events")
    assert server.timeout == 10.0


def test_a_local_server_is_a_command() -> None:
    [server] = servers({"notes": {"command": ["python", "-m", "notes"], "confirm": "*"}})

    assert server.command == ("python", "-m", "notes") and server.url is None
    assert server.needs_confirmation("anything")
    assert server.where == "python"


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"cal": {}}, "either 'url'"),
        ({"cal": {"url": "x", "command": ["y"]}}, "either 'url'"),
        ({"cal": {"url": "ftp://x"}}, "http:// or https://"),
        ({"cal": {"command": "python"}}, "must be a list"),
        ({"Bad Name": {"url": "http://x"}}, "1-24 characters"),
        ({"cal": {"url": "http://x", "timeout": 0}}, "1 to 600"),
        ({"cal": {"url": "http://x", "colour": "red"}}, "unknown setting(s) colour"),
        ({"cal": {"url": "http://x", "headers": {"A": "${MISSING}"}}}, "MISSING is not set"),
        ({"cal": {"url": "http://x", "confirm": "yes"}}, "list of tool names"),
    ],
)
def test_a_wrong_table_is_a_sentence_naming_it(table: object, problem: str) -> None:
    with pytest.raises(McpSettingsError, match=r"\[mcp\.") as caught:
        servers(table)
    assert problem in str(caught.value)


def test_a_persona_may_name_only_servers_the_file_has() -> None:
    text = """
[mcp.house]
url = "http://127.0.0.1:1/mcp"

[[persona]]
name = "family"
instructions = "Help."
mcp = ["house", "house.weather", "garage"]
"""
    with pytest.raises(PersonaFileError, match="mcp names 'garage'"):
        parse_personas(text, source="p.toml")
    book = parse_personas(text.replace(', "garage"', ""), source="p.toml")
    assert book.default.mcp == ("house", "house.weather")
    assert [s.name for s in book.servers] == ["house"]


def test_function_names_are_what_the_apis_allow_and_stay_unique() -> None:
    assert function_name("house", "add_event") == "house__add_event"
    assert function_name("my-srv", "get.thing/now") == "my-srv__get_thing_now"
    long_a, long_b = function_name("s", "x" * 80 + "a"), function_name("s", "x" * 80 + "b")
    assert len(long_a) == 64 and len(long_b) == 64 and long_a != long_b


def test_a_persona_allows_a_whole_server_or_single_tools() -> None:
    assert allows(("house",), "house", "anything")
    assert allows(("house.weather",), "house", "weather")
    assert not allows(("house.weather",), "house", "add_event")


def test_a_long_result_is_cut_and_says_so() -> None:
    assert capped("short", 100) == "short"
    cut = capped("x" * 500, 100)
    assert cut.startswith("x" * 100) and "500 characters" in cut


def test_the_same_call_has_the_same_key_however_its_arguments_are_spaced() -> None:
    assert call_key("f", '{"a": 1, "b": 2}') == call_key("f", '{"b":2,"a":1}')
    assert call_key("f", '{"a": 1}') != call_key("g", '{"a": 1}')
    assert parsed_arguments("[1]") is None and parsed_arguments("") == {}


async def rounds(*results: TurnResult) -> AsyncIterator[TurnEvent]:
    for result in results:
        yield result


def turn(
    outputs: list[FunctionCall] | None = None, offered: tuple[str, ...] = ("f",)
) -> tuple[TurnInput, list[FunctionCall]]:
    called: list[FunctionCall] = []

    async def call(call: FunctionCall) -> str:
        called.append(call)
        return f"out {call.call_id}"

    specs = tuple(FunctionSpec(name, "", {}) for name in offered)
    return TurnInput("hi", "", functions=specs, call_function=call), called


async def test_rounds_go_on_until_the_model_answers_and_add_up() -> None:
    request, called = turn()
    asked = TurnResult(
        TurnStatus.COMPLETED,
        usage=TokenUsage(10, 1),
        function_calls=(FunctionCall("c1", "f", "{}"),),
    )
    answered = TurnResult(TurnStatus.COMPLETED, text="done", usage=TokenUsage(20, 5))
    seen: list[TurnInput] = []

    def next_round(then: TurnInput) -> AsyncIterator[TurnEvent]:
        seen.append(then)
        return rounds(answered)

    events = [e async for e in with_function_calls(rounds(asked), request, next_round)]

    [result] = events
    assert isinstance(result, TurnResult)
    assert result.text == "done" and result.function_calls == ()
    assert result.usage == TokenUsage(30, 6)
    assert [c.call_id for c in called] == ["c1"]
    assert seen[0].function_outputs == ((asked.function_calls[0], "out c1"),)
    assert seen[0].text == "" and seen[0].images == ()


async def test_a_function_not_offered_is_refused_and_rounds_are_capped() -> None:
    request, called = turn(offered=("f",))
    loop = TurnResult(TurnStatus.COMPLETED, function_calls=(FunctionCall("c", "g", "{}"),))
    outputs: list[str] = []

    def next_round(then: TurnInput) -> AsyncIterator[TurnEvent]:
        outputs.extend(output for _, output in then.function_outputs)
        return rounds(loop)

    events = [e async for e in with_function_calls(rounds(loop), request, next_round)]

    assert called == []
    assert outputs[:MAX_ROUNDS] == [NOT_OFFERED] * MAX_ROUNDS and outputs[-1] == TOO_MANY
    assert len(events) == 1


async def test_the_next_rounds_text_starts_a_new_paragraph() -> None:
    request, _ = turn()
    asked = TurnResult(
        TurnStatus.COMPLETED, text="Let me look.", function_calls=(FunctionCall("c", "f", ""),)
    )

    async def first() -> AsyncIterator[TurnEvent]:
        yield TextDelta("Let me look.")
        yield asked

    async def second(_: TurnInput) -> AsyncIterator[TurnEvent]:
        yield TextDelta("Sunny.")
        yield TurnResult(TurnStatus.COMPLETED, text="Sunny.")

    events = [e async for e in with_function_calls(first(), request, second)]

    deltas = "".join(e.text for e in events if isinstance(e, TextDelta))
    result = events[-1]
    assert isinstance(result, TurnResult)
    assert deltas == result.text == "Let me look.\n\nSunny."


def test_calls_streamed_in_pieces_are_put_together() -> None:
    calls = StreamedCalls()
    calls.add([ChoiceDeltaToolCall.model_validate(
        {"index": 0, "id": "call_1", "type": "function",
         "function": {"name": "house__weather", "arguments": ""}})])  # fmt: skip
    for piece in ('{"ci', 'ty": "O', 'slo"}'):
        calls.add([ChoiceDeltaToolCall.model_validate(
            {"index": 0, "function": {"arguments": piece}})])  # fmt: skip

    [made] = calls.made()

    assert made == FunctionCall("call_1", "house__weather", '{"city": "Oslo"}')
    [asked, answered] = function_messages(((made, "snow"),))
    assert asked["role"] == "assistant" and answered == {
        "role": "tool", "tool_call_id": "call_1", "content": "snow"
    }  # fmt: skip


class AskingChannel:
    def __init__(self) -> None:
        self.asked: list[Question] = []
        self.sent = asyncio.Event()

    async def ask(self, question: Question) -> None:
        self.asked.append(question)
        self.sent.set()


async def test_a_question_is_answered_only_by_its_asker_or_an_owner() -> None:
    confirmations = Confirmations()
    channel = AskingChannel()
    waiting = asyncio.create_task(
        confirmations.ask(channel, "May I?", "Yes", "No", asker=7)  # type: ignore[arg-type]
    )
    await channel.sent.wait()
    token = channel.asked[0].token

    assert confirmations.answer(token, True, 8, owner=False) == "not_yours"
    assert confirmations.answer(token, False, 9, owner=True) == "answered"
    assert await waiting is False
    assert confirmations.answer(token, True, 7, owner=False) == "stale"


async def test_an_unanswered_question_is_a_no() -> None:
    confirmations = Confirmations(wait=0.01)
    channel = AskingChannel()

    answer = await confirmations.ask(channel, "May I?", "Yes", "No", asker=None)  # type: ignore[arg-type]

    assert answer is False and len(channel.asked) == 1


def test_the_docs_example_personas_file_is_valid(tmp_path: Path) -> None:
    """docs/knowledge-and-owner-tools.md shows a whole personas file: it must load as shown."""
    page = (ROOT / "docs" / "knowledge-and-owner-tools.md").read_text(encoding="utf-8")
    example = page.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "knowledge" / "handbook").mkdir(parents=True)

    book = parse_personas(
        example, source="example", environ={"CALENDAR_TOKEN": "tok-123456"}, base=tmp_path
    )

    calendar, notes = book.servers
    assert calendar.headers == (("Authorization", "Bearer tok-123456"),)
    assert calendar.needs_confirmation("add_event") and notes.command[0] == "python"
    assert book.default.mcp == ("calendar", "notes.search_notes")
    assert book.default.knowledge == tmp_path / "knowledge" / "handbook"
