"""What a chat shows while a hosted tool works: a status line under the draft ("🧮 Running
Python…") in private chats, and "sending a photo…" while an image is drawn."""

from __future__ import annotations

from bot.engine.channel import ReplyChannel
from bot.engine.turn import RunningTurn
from bot.engine.typing_indicator import TypingIndicator
from bot.texts import Texts


async def tool_started(
    turn: RunningTurn, channel: ReplyChannel, typing: TypingIndicator, texts: Texts, tool: str
) -> None:
    """A hosted tool is at work: the draft says what it does (after any text so far), and
    while it draws, the chat shows "sending a photo…"."""
    if tool == "image_generation":
        channel.set_activity("photo")
        await typing.now()
    status = {
        "code_interpreter": texts.status_running_code,
        "web_search": texts.status_searching,
        "image_generation": texts.status_drawing,
    }.get(tool)
    if turn.live is not None and status:
        await turn.live.status(f"_{status}_")
