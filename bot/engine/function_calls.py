"""The engine's side of the owner's tools (MCP): which a persona offers the model, and each
call a turn makes — shown in the status line, asked about first where the owner wants it,
and kept in the call log, so a turn resumed after a restart never runs a call twice.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from bot.backends import FunctionCall, FunctionCaller, FunctionSpec
from bot.engine.confirmations import Confirmations
from bot.engine.ports import LiveAnswer, ReplyChannel
from bot.functions.tools import OwnerTool, ToolServers, call_key, parsed_arguments
from bot.texts import Texts, render
from storage import InboxEntry
from storage.repositories import FunctionCalls

logger = logging.getLogger(__name__)

# What the model reads when a call did not run (the user hears it from the model, in its words).
DECLINED = "The user declined this call: it did not run. Do not call it again in this turn."
CUT_SHORT = (
    "This call was cut short by a restart: it may or may not have run. Tell the user so, and "
    "do not call it again in this turn."
)
BAD_ARGUMENTS = "The arguments were not a JSON object: nothing ran."
SHOWN_ARGUMENTS = 300  # characters of the arguments a confirmation question shows


@dataclass(frozen=True, slots=True)
class TurnFunctions:
    """What a turn offers the model of the owner's tools, and the caller that runs them."""

    specs: tuple[FunctionSpec, ...] = ()
    caller: FunctionCaller | None = None


class OwnerFunctions:
    """The owner's tools for the engine: built once, asked per persona and per turn."""

    def __init__(
        self, servers: ToolServers, calls: FunctionCalls, confirmations: Confirmations
    ) -> None:
        self._servers = servers
        self._calls = calls
        self.confirmations = confirmations

    def offered(self, allowed: tuple[str, ...]) -> tuple[OwnerTool, ...]:
        return self._servers.offered(allowed) if allowed else ()

    def for_turn(
        self,
        entry: InboxEntry,
        allowed: tuple[str, ...],
        channel: ReplyChannel,
        live: LiveAnswer | None,
        texts: Texts,
        waiting: Callable[[], AbstractAsyncContextManager[None]] = contextlib.nullcontext,
    ) -> TurnFunctions:
        """`waiting`: what the chat shows while a question waits for the user (typing off)."""
        tools = self.offered(allowed)
        if not tools:
            return TurnFunctions()
        specs = tuple(FunctionSpec(t.function, t.description, t.parameters) for t in tools)
        asking = _Asking(self.confirmations, entry, channel, live, texts, waiting)
        caller = _TurnCalls(self, {t.function: t for t in tools}, entry, asking)
        return TurnFunctions(specs, caller)

    async def run(
        self,
        tool: OwnerTool,
        call: FunctionCall,
        entry: InboxEntry,
        ask: _Asking,
    ) -> str:
        """One call, at most once per turn where running it twice would matter: a kept output
        is reused, and a call cut short by a restart is not run again. A tool its server says
        only reads (or does the same twice as once) runs again instead: nothing to keep."""
        arguments = parsed_arguments(call.arguments)
        if arguments is None:
            return BAD_ARGUMENTS
        if tool.repeatable and not tool.confirm:
            await ask.status(tool)
            return await self._call(tool, arguments, ask)
        key = call_key(call.name, call.arguments)
        logged = await self._calls.of(entry.id, key)
        if logged is not None and logged.state == "done" and logged.output is not None:
            logger.info("Chat %s: %s answered from the call log", entry.key, call.name)
            return logged.output
        if logged is not None and not tool.repeatable:
            logger.warning(
                "Chat %s: %s was cut short by a restart; not run again", entry.key, call.name
            )
            return CUT_SHORT
        await ask.status(tool)
        if tool.confirm and not await ask.confirmed(tool, arguments):
            logger.info("Chat %s: %s declined by the user", entry.key, call.name)
            await self._calls.finished(entry.id, key, DECLINED)
            return DECLINED
        await self._calls.started(entry.id, key)
        output = await self._call(tool, arguments, ask)
        await self._calls.finished(entry.id, key, output)
        return output

    async def _call(self, tool: OwnerTool, arguments: dict[str, object], ask: _Asking) -> str:
        outcome = await self._servers.call(tool, arguments)
        if outcome.failed:
            await ask.failed(tool)
            return f"Error: {outcome.text}"
        return outcome.text


class _Asking:
    """How a turn's calls show themselves in the chat."""

    def __init__(
        self,
        confirmations: Confirmations,
        entry: InboxEntry,
        channel: ReplyChannel,
        live: LiveAnswer | None,
        texts: Texts,
        waiting: Callable[[], AbstractAsyncContextManager[None]],
    ) -> None:
        self._confirmations = confirmations
        self._entry = entry
        self._channel = channel
        self._live = live
        self._texts = texts
        self._waiting = waiting

    async def status(self, tool: OwnerTool) -> None:
        if self._live is not None:
            line = self._texts.status_asking.format(server=tool.server.replace("_", " "))
            await self._live.status(f"_{line}_")

    async def confirmed(self, tool: OwnerTool, arguments: dict[str, object]) -> bool:
        shown = json.dumps(arguments, ensure_ascii=False)
        if len(shown) > SHOWN_ARGUMENTS:
            shown = shown[:SHOWN_ARGUMENTS] + "…"
        question = render(
            self._texts.confirm_call,
            tool=tool.name,
            server=tool.server,
            arguments=shown,
        )
        texts = self._texts
        asker = None if self._entry.private else self._entry.user_id
        async with self._waiting():
            return await self._confirmations.ask(
                self._channel, question, texts.confirm_yes, texts.confirm_no, asker=asker
            )

    async def failed(self, tool: OwnerTool) -> None:
        await self._channel.send_notice(render(self._texts.tool_failed, server=tool.server))


class _TurnCalls:
    """The caller a turn's backend uses: by the model's function name."""

    def __init__(
        self,
        functions: OwnerFunctions,
        tools: dict[str, OwnerTool],
        entry: InboxEntry,
        asking: _Asking,
    ) -> None:
        self._functions = functions
        self._tools = tools
        self._entry = entry
        self._asking = asking

    async def __call__(self, call: FunctionCall) -> str:
        tool = self._tools.get(call.name)
        if tool is None:
            return "This tool is not available."
        return await self._functions.run(tool, call, self._entry, self._asking)
