"""A run's request on the legacy threads API: pure, from the settings and the turn."""

from __future__ import annotations

from typing import Any

from bot.backends.base import ModelSettings, TurnInput
from bot.backends.function_rounds import function_tools

IMAGE_TOKENS = 1600  # what an image at "high" detail may take of the prompt, at most


def run_options(settings: ModelSettings, turn: TurnInput, runs_code: bool) -> dict[str, Any]:
    """A run's options: its tools (the code interpreter, the owner's functions), the output
    cap, and how much of the thread it reads."""
    options: dict[str, Any] = {}
    tools: list[dict[str, Any]] = [{"type": "code_interpreter"}] if runs_code else []
    if "file_search" in turn.tools and turn.knowledge:
        tools.append({"type": "file_search"})  # the thread names the store
    tools += function_tools(turn.functions)
    if tools:
        options["tools"] = tools
    if settings.reasoning_effort:
        options["reasoning_effort"] = settings.reasoning_effort
    if cap := settings.output_cap(turn):
        options["max_completion_tokens"] = cap
    if budget := settings.context_budget:
        # The run reads at most the budget: the thread's middle is left out (its first
        # messages stay), never this turn's own message, however long.
        own = len(f"{turn.instructions}{turn.text}".encode()) // 3 + IMAGE_TOKENS * len(turn.images)
        options["truncation_strategy"] = {"type": "auto"}
        options["max_prompt_tokens"] = max(budget, own + 1024)
    return options
