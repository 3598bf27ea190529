"""The body of a turn's request on the Responses API: a background response stored in the
conversation, its prompt laid out so its start is the same every turn (the prompt cache holds),
compacted by the server past the budget."""

from __future__ import annotations

from typing import Any

from bot.backends.base import ModelSettings, TurnInput
from bot.backends.openai_calls import OptionalParameters, cache_key
from bot.backends.responses_api.containers import Containers
from bot.backends.responses_api.drawings import image_tool
from bot.backends.responses_api.response_input import UserMessage

# Parameters for the prompt cache and compaction, which a compatible server may not know.
CACHING = ("prompt_cache_key", "prompt_cache_options", "context_management")


class TurnRequests:
    def __init__(
        self,
        settings: ModelSettings,
        containers: Containers,
        message: UserMessage,
        optional: OptionalParameters,
    ) -> None:
        self._settings = settings
        self._containers = containers
        self._message = message
        self._optional = optional

    async def body(self, conversation_id: str, turn: TurnInput) -> dict[str, Any]:
        """The body of a turn: a background response, stored in the conversation. Its prompt
        starts the same every turn (the instructions, the tools, the conversation so far) so
        the cache holds; past the budget the server compacts the conversation first, and
        `truncation` stays the last resort at the model's window."""
        settings = self._settings
        paths: list[str] = []
        tools = await self._tools(conversation_id, turn, paths)
        request: dict[str, Any] = {
            "model": settings.model,
            "conversation": conversation_id,
            "instructions": turn.instructions,
            "input": (
                _outputs(turn)
                if turn.function_outputs
                else await self._message.build(conversation_id, turn, paths)
            ),
            "background": True,
            "store": True,
            "truncation": "auto",
            **self._caching(conversation_id),
        }
        if settings.reasoning_effort:
            request["reasoning"] = {"effort": settings.reasoning_effort}
        if cap := settings.output_cap(turn):
            request["max_output_tokens"] = cap
        if tools:
            request["tools"] = tools
            if turn.tool_choice in turn.tools:
                request["tool_choice"] = {"type": turn.tool_choice}
        return request

    def _caching(self, conversation_id: str) -> dict[str, Any]:
        """The prompt cache's key and retention, and the compaction threshold."""
        settings, wanted = self._settings, self._optional.wanted
        found: dict[str, Any] = {}
        if wanted("prompt_cache_key"):
            found["prompt_cache_key"] = cache_key(conversation_id)
        if settings.prompt_cache_ttl and wanted("prompt_cache_options"):
            found["prompt_cache_options"] = {"ttl": settings.prompt_cache_ttl}
        if settings.context_budget and wanted("context_management"):
            found["context_management"] = [
                {"type": "compaction", "compact_threshold": settings.context_budget}
            ]
        return found

    async def _tools(
        self, conversation_id: str, turn: TurnInput, paths: list[str]
    ) -> list[dict[str, Any]]:
        """The tools' definitions; the user's data files go into the container (their paths
        added to `paths`, for the message to name)."""
        tools: list[dict[str, Any]] = []
        if not turn.tools and not turn.functions:
            return tools
        if "web_search" in turn.tools:
            tools.append({"type": "web_search"})
        if "file_search" in turn.tools and turn.knowledge:
            tools.append({"type": "file_search", "vector_store_ids": [turn.knowledge]})
        if "image_generation" in turn.tools:
            tools.append(image_tool(self._settings.images))
        if "code_interpreter" in turn.tools:
            tool, placed = await self._containers.tool(
                conversation_id, turn.container_files, turn.earlier_files
            )
            paths += placed
            tools.append(tool)
        tools += (
            {
                "type": "function",
                "name": function.name,
                "description": function.description,
                "parameters": dict(function.parameters),
                "strict": False,  # the owner's servers' schemas are not written for strict mode
            }
            for function in turn.functions
        )
        return tools


def _outputs(turn: TurnInput) -> list[dict[str, Any]]:
    """A continuation's input: the outputs of the calls the model made, by their ids."""
    return [
        {"type": "function_call_output", "call_id": call.call_id, "output": output}
        for call, output in turn.function_outputs
    ]
