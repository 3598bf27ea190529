"""The long-lived objects the handlers need, built once and passed in explicitly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

from bot.backends import Backend, ModelClient, Transcriber, server_check
from bot.config import Config
from bot.delivery.telegram_link import TelegramLink
from bot.engine import ChatEngine, ChatLanguages
from bot.engine.knowledge import Knowledge
from bot.logging_setup import LastError, LogTail
from bot.media.settings import ImageCommand
from bot.personas import PersonaBook
from bot.texts import Language, Texts
from bot.usage.members import Members
from bot.usage.reports import UsageReports
from storage import StorageUnavailable, Tool
from storage.database import Database

if TYPE_CHECKING:  # imported only where the personas file names MCP servers (~50 MB)
    from bot.functions.mcp_servers import McpServers

IMAGE = "image_generation"


@dataclass(frozen=True, slots=True)
class Services:
    config: Config
    store: Database
    client: ModelClient
    backend: Backend
    personas: PersonaBook
    catalogues: Mapping[Language, Texts]
    languages: ChatLanguages
    engine: ChatEngine
    last_error: LastError
    log_tail: LogTail  # the owner's status page shows the last lines
    members: Members  # who the budgets count as members (not guests)
    usage: UsageReports
    transcriber: Transcriber | None = None
    transcription_client: ModelClient | None = None  # its own, closed with the others
    telegram_link: TelegramLink = field(default_factory=TelegramLink)
    background: set[asyncio.Task[None]] = field(default_factory=set)
    started_at: float = field(default_factory=time.monotonic)
    # The hosted tools personas may use: what the backend offers, less TOOLS_OFF.
    tools: frozenset[Tool] = frozenset()
    tool_servers: McpServers | None = None  # the owner's tools: the [mcp] tables' servers
    knowledge: Knowledge | None = None  # the personas' knowledge folders
    # Set by a second stop signal: answers being written are cut short (left in the inbox).
    stop_now: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def image_command(self) -> ImageCommand:
        """Whether /image draws here (IMAGE_COMMAND, and a backend that can)."""
        if not self.config.media.drawing.command:
            return "off"
        return "on" if IMAGE in self.tools else "unavailable"

    async def start(self) -> None:
        logging.getLogger().addHandler(self.last_error)
        logging.getLogger().addHandler(self.log_tail)
        await self.store.open()
        await self.backend.start()
        if self.tool_servers is not None:
            await self.tool_servers.start()
        if self.knowledge is not None and "file_search" not in self.config.tools_off:
            await self.knowledge.sync()
        log = logging.getLogger(__name__)
        for persona in self.personas.personas:
            if off := [t for t in persona.tools if t in self.config.tools_off]:
                log.info("Persona %s: %s turned off by TOOLS_OFF", persona.name, ", ".join(off))
            if missing := [t for t in persona.tools if t not in self.backend.tools]:
                log.warning(
                    "Persona %s asks for %s, which the %s backend does not offer: left out",
                    persona.name,
                    ", ".join(missing),
                    self.backend.name,
                )
        if self.image_command == "unavailable":
            logging.getLogger(__name__).warning(
                "IMAGE_COMMAND is on, but the %s backend cannot draw (or TOOLS_OFF turns "
                "image_generation off): /image says so",
                self.backend.name,
            )
        if self.transcriber is not None:
            await self.transcriber.start()

    async def check_model_server(self, *, log: bool = True) -> server_check.ServerCheck:
        """Whether the model server takes our key and offers our model (`log`: one line)."""
        check = await server_check.check_model_server(
            self.client, self.config.openai_model, one_model_servers=self.config.backend == "chat"
        )
        if log:
            check.log()
        return check

    async def status(self) -> str:
        """The owner's /status: plain text, English like every operator report."""
        server = await self.check_model_server(log=False)
        seen = self.last_error.seen
        last = "none" if seen is None else f"{_ago(time.time() - seen[0])} ago: {seen[1]}"
        config = self.config
        lines = [
            f"Telethread {_version()}",
            f"backend: {config.backend}, model: {config.openai_model}",
            f"tools: {', '.join(sorted(self.tools)) or 'none'}"
            + (f" (off: {', '.join(sorted(config.tools_off))})" if config.tools_off else "")
            + (", /image on" if self.image_command == "on" else ""),
            *self._tool_servers_line(),
            f"up for {_ago(time.monotonic() - self.started_at)}",
            f"Telegram: {self.telegram_link.describe()}",
            f"model server: {server.summary}",
            f"database: {self.store.engine.name} at {self.store.engine.where}",
            f"messages waiting: {await self.store.inbox.count()}",
            f"turns running: {self.engine.turns_running}",
            f"last error: {last}",
        ]
        return "\n".join(lines)

    def _tool_servers_line(self) -> list[str]:
        servers = self.tool_servers
        if servers is None:
            return []
        down = servers.unreachable()
        names = [f"{n} (not answering)" if n in down else n for n in servers.configured]
        return [f"MCP servers: {', '.join(names)}"]

    def run_in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Long-running upkeep (e.g. retention), cancelled at shutdown."""
        self.background.add(asyncio.create_task(work))

    async def stop(self, *, last: bool = True) -> None:
        """Stop upkeep and turns first, then the clients they use. `last`: no other process
        of the bot runs on (the health probe is told the bot stopped only then)."""
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        await self.engine.aclose()
        if self.tool_servers is not None:
            await self.tool_servers.close()
        await self.client.close()
        if self.transcription_client is not None:
            await self.transcription_client.close()
        if last:
            with contextlib.suppress(
                StorageUnavailable, RuntimeError
            ):  # RuntimeError: never opened
                await self.store.settings.stopped()
        await self.store.close()
        logging.getLogger().removeHandler(self.last_error)
        logging.getLogger().removeHandler(self.log_tail)


def _ago(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def _version() -> str:
    try:
        return metadata.version("telethread")
    except metadata.PackageNotFoundError:
        return "(not installed)"
