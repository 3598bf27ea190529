"""The engine: one conversation turn and per-chat ordering, behind the `ChatEngine` facade.

Imports the backend interface, storage, personas and texts; never Telegram, the OpenAI SDK,
`bot.delivery` or `bot.handlers` (checked by the import contracts in pyproject.toml).
"""

from bot.engine.channel import ChatEvents, LiveAnswer, ReplyChannel
from bot.engine.chat_engine import ChatEngine

__all__ = ["ChatEngine", "ChatEvents", "LiveAnswer", "ReplyChannel"]
