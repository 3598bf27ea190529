"""SQLite storage: chat → conversation mapping, personas, the inbox and the ledger.

Imports nothing from `bot`: the record types in `storage.records` are the bot's vocabulary.
"""

from storage.conversation_store import ConversationStore
from storage.records import (
    Attachment,
    AttachmentKind,
    ChatKey,
    ChatLanguage,
    ChatRecord,
    HistoryMessage,
    ImageTokens,
    InboxEntry,
    InboxState,
    LedgerRow,
    LedgerSource,
    StorageUnavailable,
    TokenUsage,
    ToolCounts,
    Totals,
)

__all__ = [
    "Attachment",
    "AttachmentKind",
    "ChatKey",
    "ChatLanguage",
    "ChatRecord",
    "ConversationStore",
    "HistoryMessage",
    "ImageTokens",
    "InboxEntry",
    "InboxState",
    "LedgerRow",
    "LedgerSource",
    "StorageUnavailable",
    "TokenUsage",
    "ToolCounts",
    "Totals",
]
