"""The owner's functions in Chat Completions' shape: the calls the model made (whole, or
streamed piece by piece) and the messages that hand it their outputs."""

from __future__ import annotations

from dataclasses import dataclass, field

from openai.types.chat import ChatCompletionMessageParam
from openai.types.chat.chat_completion_chunk import ChoiceDeltaToolCall

from bot.backends.turn_tools import FunctionCall


def function_messages(
    outputs: tuple[tuple[FunctionCall, str], ...],
) -> list[ChatCompletionMessageParam]:
    """The assistant's message with its calls, then one `tool` message per output."""
    if not outputs:
        return []
    asked: ChatCompletionMessageParam = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call.call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call, _ in outputs
        ],
    }
    answered: list[ChatCompletionMessageParam] = [
        {"role": "tool", "tool_call_id": call.call_id, "content": output}
        for call, output in outputs
    ]
    return [asked, *answered]


@dataclass
class _Streamed:
    call_id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class StreamedCalls:
    """Calls arriving in pieces: the first names the call, the rest add to its arguments."""

    _by_index: dict[int, _Streamed] = field(default_factory=dict)

    def add(self, pieces: list[ChoiceDeltaToolCall] | None) -> None:
        for piece in pieces or []:
            call = self._by_index.setdefault(piece.index, _Streamed())
            call.call_id = piece.id or call.call_id
            if piece.function is not None:
                call.name = piece.function.name or call.name
                call.arguments.append(piece.function.arguments or "")

    def made(self) -> tuple[FunctionCall, ...]:
        return tuple(
            FunctionCall(c.call_id or f"call_{i}", c.name, "".join(c.arguments))
            for i, c in sorted(self._by_index.items())
            if c.name
        )
