"""The long-lived objects the handlers need, built once and passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from bot.backends import Backend
from bot.config import Config
from bot.engine import ChatEngine
from bot.personas import PersonaBook
from storage import ConversationStore


@dataclass(frozen=True, slots=True)
class Services:
    config: Config
    store: ConversationStore
    backend: Backend
    personas: PersonaBook
    engine: ChatEngine

    async def start(self) -> None:
        await self.store.open()
        await self.backend.start()

    async def stop(self) -> None:
        """Stop turns first, then the clients they use."""
        await self.engine.aclose()
        await self.backend.aclose()
        await self.store.close()
