"""A Chat Completions answer as a turn's result: how it ended, what it used, and the pass that
compacted its conversation first, if one did."""

from __future__ import annotations

from dataclasses import replace

from openai.types import CompletionUsage

from bot.backends.base import (
    TurnResult,
    TurnStatus,
)
from bot.backends.turn_tools import FunctionCall
from storage import TokenUsage, ToolCounts

# finish_reason values that mean the answer was cut short, and how we report them.
CUT_SHORT = {"length": "max_output_tokens", "content_filter": "content_filter"}


def chat_result(
    *,
    text: str,
    finish_reason: str | None,
    response_id: str | None,
    usage: TokenUsage | None,
    model: str | None,
    function_calls: tuple[FunctionCall, ...] = (),
) -> TurnResult:
    reason = CUT_SHORT.get(finish_reason or "")
    return TurnResult(
        status=TurnStatus.INCOMPLETE if reason else TurnStatus.COMPLETED,
        text=text,
        response_id=response_id,
        usage=usage,
        incomplete_reason=reason,
        model=model,
        function_calls=function_calls,
    )


def with_compaction(result: TurnResult, compaction: TokenUsage) -> TurnResult:
    """The turn's result with the pass that compacted its conversation: its usage added (a
    server that reported none for the answer leaves the whole turn to the estimate)."""
    usage = result.usage.plus(compaction) if result.usage is not None else None
    return replace(result, usage=usage, compacted=True, tools_used=ToolCounts(compactions=1))


def with_search(result: TurnResult, sources: tuple[tuple[str, str], ...]) -> TurnResult:
    """The turn's result with the documents searched for it: their names as its sources, and
    the search counted (priced like file search, at the model's price: free where local)."""
    tools = result.tools_used or ToolCounts()
    return replace(
        result,
        citations=sources + result.citations,
        tools_used=replace(tools, file_searches=tools.file_searches + 1),
    )


def chat_usage(usage: CompletionUsage | None) -> TokenUsage | None:
    """Servers may omit the details (llama.cpp, Ollama) or the usage itself."""
    if usage is None:
        return None
    prompt, completion = usage.prompt_tokens_details, usage.completion_tokens_details
    return TokenUsage(
        usage.prompt_tokens,
        usage.completion_tokens,
        cached_tokens=(prompt.cached_tokens or 0) if prompt else 0,
        cache_write_tokens=(prompt.cache_write_tokens or 0) if prompt else 0,
        reasoning_tokens=(completion.reasoning_tokens or 0) if completion else 0,
    )
