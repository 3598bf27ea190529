"""How the engine talks back to a chat, without knowing it is Telegram."""

from __future__ import annotations

from typing import Protocol


class ReplyChannel(Protocol):
    """One conversation's way out: typing, the model's answer, and the bot's own notices."""

    async def show_typing(self) -> None: ...

    async def send_answer(self, markdown: str) -> None:
        """Send the model's Markdown answer, formatted and split as needed."""
        ...

    async def send_notice(self, text: str) -> None:
        """Send one of the bot's own messages (from `bot.texts`)."""
        ...
