"""The engine: one conversation turn and per-chat ordering, behind the `ChatEngine` facade.

Imports the backend interface, storage, personas and texts; never Telegram, the OpenAI SDK,
`bot.delivery` or `bot.handlers` (checked by the import contracts in pyproject.toml).
"""

from bot.backends.base import BackendError
from bot.engine.channel import ChatEvents, LiveAnswer, ReplyChannel, RetryButton
from bot.engine.chat_engine import ChatEngine
from bot.engine.languages import ChatLanguages

# What `reset` and `choose_persona` raise when no new conversation could be started.
ConversationUnavailable = BackendError

__all__ = [
    "ChatEngine",
    "ChatEvents",
    "ChatLanguages",
    "ConversationUnavailable",
    "LiveAnswer",
    "ReplyChannel",
    "RetryButton",
]
