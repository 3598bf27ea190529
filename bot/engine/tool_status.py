"""What a chat shows while a hosted tool works: a status line under the draft ("🧮 Running
Python…") in private chats, and "sending a photo…" while an image is drawn."""

from __future__ import annotations

from bot.engine.ports import LiveAnswer, ReplyChannel
from bot.engine.typing_indicator import TypingIndicator
from bot.texts import Texts
from storage import Tool


async def tool_started(
    live: LiveAnswer | None,
    channel: ReplyChannel,
    typing: TypingIndicator,
    texts: Texts,
    library: str,
    tool: Tool,
) -> None:
    """A hosted tool is at work: the draft says what it does (after any text so far), and
    while it draws, the chat shows "sending a photo…". `library`: the persona's documents'
    name, for a file search."""
    if tool == "image_generation":
        channel.set_activity("photo")
        await typing.now()
    status = {
        "code_interpreter": texts.status_running_code,
        "web_search": texts.status_searching,
        "image_generation": texts.status_drawing,
        "file_search": texts.status_reading.format(library=library.replace("_", " ")),
    }.get(tool)
    if live is not None and status:
        await live.status(f"_{status}_")
