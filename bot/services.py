"""The long-lived objects the handlers need, built once and passed in explicitly."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.backends import Backend, ModelClient
from bot.config import Config
from bot.engine import ChatEngine, ChatLanguages
from bot.personas import PersonaBook
from bot.texts import Language, Texts
from storage import ConversationStore


@dataclass(frozen=True, slots=True)
class Services:
    config: Config
    store: ConversationStore
    client: ModelClient
    backend: Backend
    personas: PersonaBook
    catalogues: Mapping[Language, Texts]
    languages: ChatLanguages
    engine: ChatEngine
    background: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        await self.store.open()
        await self.backend.start()

    def run_in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Long-running upkeep (e.g. retention), cancelled at shutdown."""
        self.background.add(asyncio.create_task(work))

    async def stop(self) -> None:
        """Stop upkeep and turns first, then the clients they use."""
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        await self.engine.aclose()
        await self.client.close()
        await self.store.close()
