"""The engine: one conversation turn and per-chat ordering, behind the `ChatEngine` facade.

Imports the backend interface, storage, personas and texts; never Telegram, the OpenAI SDK,
`bot.delivery` or `bot.handlers` (checked by the import contracts in pyproject.toml).
"""

from bot.engine.chat_engine import ChatEngine
from bot.engine.chat_languages import ChatLanguages
from bot.engine.conversations import ConversationUnavailable
from bot.engine.ports import ChatEvents, LiveAnswer, ReplyChannel, RetryButton

__all__ = [
    "ChatEngine",
    "ChatEvents",
    "ChatLanguages",
    "ConversationUnavailable",
    "LiveAnswer",
    "ReplyChannel",
    "RetryButton",
]
