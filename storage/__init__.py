"""SQLite storage: chat → conversation mapping, personas and token usage."""

from storage.conversation_store import (
    ChatKey,
    ChatRecord,
    ConversationStore,
    HistoryMessage,
    InboxEntry,
    StorageUnavailable,
    TokenUsage,
)

__all__ = [
    "ChatKey",
    "ChatRecord",
    "ConversationStore",
    "HistoryMessage",
    "InboxEntry",
    "StorageUnavailable",
    "TokenUsage",
]
