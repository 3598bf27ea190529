"""A turn that calls the owner's functions: answer, call, answer again — on every backend.

The model answers with calls instead of text; the engine's caller runs them (it may ask the
user first), and the turn goes on with their outputs, round after round, until the model
writes its answer. The last result stands for the whole turn: its usage is every round's.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import fields, replace
from typing import Any

from bot.backends.base import (
    TextDelta,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStatus,
)
from bot.backends.turn_tools import FunctionCall, FunctionSpec
from storage import ToolCounts

logger = logging.getLogger(__name__)

MAX_ROUNDS = 8  # rounds of calls in one turn; past them, the model is asked to answer
TOO_MANY = "Too many tool calls in one turn: answer with what you have."
NOT_OFFERED = "This tool is not available."


def function_tools(functions: tuple[FunctionSpec, ...]) -> list[dict[str, Any]]:
    """The functions as Chat Completions and the threads API take them (Responses takes them
    flat: `responses_api/turn_request.py`)."""
    return [
        {
            "type": "function",
            "function": {
                "name": function.name,
                "description": function.description,
                "parameters": dict(function.parameters),
            },
        }
        for function in functions
    ]


async def with_function_calls(
    first: AsyncIterator[TurnEvent],
    turn: TurnInput,
    next_round: Callable[[TurnInput], AsyncIterator[TurnEvent]],
) -> AsyncIterator[TurnEvent]:
    """The turn's events; while a round ends asking for calls, run them and start the next
    round (`next_round`, given the turn with the calls' outputs). Yields one TurnResult."""
    events, done = first, None
    round_number = 0
    while True:
        result = None
        async for event in events:
            if isinstance(event, TurnResult):
                result = event
            else:
                if isinstance(event, TextDelta) and done is not None and done.text and event.text:
                    yield TextDelta("\n\n")  # the next round's text, as a new paragraph
                    done = replace(done, text=done.text + "\n\n")
                yield event
        if result is None:
            return  # the backend ended without a result: the engine says so
        done = merged(done, result) if done is not None else result
        if (
            not result.function_calls
            or result.status is not TurnStatus.COMPLETED
            or round_number > MAX_ROUNDS  # told to answer, it called again: as it is
        ):
            yield replace(done, function_calls=())
            return
        outputs = []
        for call in result.function_calls:
            outputs.append((call, await _output(turn, call, round_number)))
        round_number += 1
        events = next_round(
            replace(
                turn,
                text="",
                images=(),
                files=(),
                container_files=(),
                tool_choice=None,
                function_outputs=tuple(outputs),
            )
        )


async def _output(turn: TurnInput, call: FunctionCall, round_number: int) -> str:
    if round_number >= MAX_ROUNDS:
        logger.warning("The model asked for more than %d rounds of calls", MAX_ROUNDS)
        return TOO_MANY
    if turn.call_function is None or all(f.name != call.name for f in turn.functions):
        logger.warning("The model called %s, which this turn does not offer", call.name)
        return NOT_OFFERED
    return await turn.call_function(call)


def merged(earlier: TurnResult, later: TurnResult) -> TurnResult:
    """Two rounds of one turn as one result: the later's ending, both rounds' text, usage,
    tools, citations and files."""
    usage = later.usage or earlier.usage
    if earlier.usage is not None and later.usage is not None:
        usage = earlier.usage.plus(later.usage)
    tools = later.tools_used or earlier.tools_used
    if earlier.tools_used is not None and later.tools_used is not None:
        tools = ToolCounts(
            **{
                f.name: getattr(earlier.tools_used, f.name) + getattr(later.tools_used, f.name)
                for f in fields(ToolCounts)
            }
        )
    texts = [t for t in (earlier.text, later.text) if t]
    return replace(
        later,
        text="".join(texts) if earlier.text.endswith("\n\n") else "\n\n".join(texts),
        usage=usage,
        tools_used=tools,
        citations=earlier.citations + later.citations,
        artifacts=earlier.artifacts + later.artifacts,
        compacted=earlier.compacted or later.compacted,
        image_tokens=later.image_tokens or earlier.image_tokens,
        images_refused=earlier.images_refused + later.images_refused,
        files_restored=earlier.files_restored + later.files_restored,
        container_replaced=earlier.container_replaced or later.container_replaced,
    )
