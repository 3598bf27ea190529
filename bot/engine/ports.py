"""How the engine talks back to a chat, without knowing it is Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias


@dataclass(frozen=True, slots=True)
class RetryButton:
    """A button under a notice that asks for the failed message's answer again."""

    label: str  # plain text
    entry_id: int  # the inbox entry to run again


class LiveAnswer(Protocol):
    """An answer shown while the model writes it."""

    @property
    def answer_id(self) -> int | None:
        """Identifies this answer in a user's stop request."""
        ...

    async def update(self, text: str) -> None:
        """The whole answer so far (Markdown); returns quickly."""
        ...

    async def status(self, line: str) -> None:
        """Show what the model is doing (Markdown) under the text so far, until more text
        comes; where the preview would stay in the chat, nothing is shown."""
        ...

    async def finish(self, markdown: str, note: str = "") -> None:
        """Deliver the final answer in full, closed by `note` (Telegram HTML) if any."""
        ...

    async def discard(self) -> None:
        """Stop previewing: the turn produced nothing to keep (or it went out another way)."""
        ...

    @property
    def posted(self) -> bool:
        """Part of the answer is already a message in the chat (not only a preview)."""
        ...


@dataclass(frozen=True, slots=True)
class Question:
    """A Yes/No question under a message; the answer comes back by `token`."""

    text: str  # Telegram HTML
    yes: str  # the buttons' labels (plain text)
    no: str
    token: str


# What the chat is shown the bot is doing: writing, or about to send a photo or a file.
Activity: TypeAlias = Literal["typing", "photo", "document"]


class ReplyChannel(Protocol):
    """One conversation's way out: typing, the model's answer, and the bot's own notices."""

    async def show_typing(self, acknowledge: bool = False) -> bool:
        """Show that an answer is pending (as the current activity); False if it could not be
        shown just now. `acknowledge` marks the first sign for a message.
        """
        ...

    def set_activity(self, activity: Activity) -> None:
        """What `show_typing` shows from now on (e.g. "sending a photo…" while drawing)."""
        ...

    def live_answer(self) -> LiveAnswer | None:
        """A way to show the answer as it is written, where the chat has one."""
        ...

    async def send_answer(self, markdown: str, note: str = "") -> None:
        """Send the model's Markdown answer, formatted and split as needed, then `note`."""
        ...

    async def send_notice(self, text: str, retry: RetryButton | None = None) -> None:
        """Send one of the bot's own messages (Telegram HTML, from `bot.texts`)."""
        ...

    async def ask(self, question: Question) -> None:
        """Send the question with its two buttons (a tap reaches `Confirmations.answer`)."""
        ...

    async def send_files(
        self, files: list[tuple[str, bytes]], caption: str = "", note: str = ""
    ) -> bool:
        """Send files the model made, by name: images as photos (several as an album), the
        others as documents; `caption` (the Markdown answer, closed by `note`) goes with the
        first when it fits a caption. True if it did: then it needs no message of its own."""
        ...


class ChatEvents(Protocol):
    """What the chat side reports back about a chat itself (the engine implements it)."""

    async def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None: ...

    async def chat_unreachable(self, chat_id: int) -> None: ...
