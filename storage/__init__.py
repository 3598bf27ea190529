"""SQLite storage: chat → conversation mapping, personas and token usage."""

from storage.conversation_store import (
    ChatKey,
    ChatRecord,
    ConversationStore,
    HistoryMessage,
    TokenUsage,
)

__all__ = ["ChatKey", "ChatRecord", "ConversationStore", "HistoryMessage", "TokenUsage"]
