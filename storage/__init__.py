"""Storage, on SQLite or PostgreSQL: chat → conversation mapping, personas, the inbox, the ledger.

Imports nothing from `bot`: the record types in `storage.records` are the bot's vocabulary, and
they are all this package exports. The repository is imported from its own module, so the
import contracts (pyproject.toml) see who uses it.
"""

from storage.records import (
    TOOLS,
    Attachment,
    AttachmentKind,
    ChatKey,
    ChatLanguage,
    ChatRecord,
    ConversationTurn,
    HistoryMessage,
    ImageTokens,
    InboxEntry,
    InboxState,
    IndexedPassage,
    Lease,
    LedgerRow,
    LedgerSource,
    LoggedCall,
    PersonRecord,
    ProcessState,
    SignedIn,
    StorageUnavailable,
    StorageUnreachable,
    TokenUsage,
    Tool,
    ToolCounts,
    Totals,
    TotalsKey,
)

__all__ = [
    "TOOLS",
    "Attachment",
    "AttachmentKind",
    "ChatKey",
    "ChatLanguage",
    "ChatRecord",
    "ConversationTurn",
    "HistoryMessage",
    "ImageTokens",
    "InboxEntry",
    "InboxState",
    "IndexedPassage",
    "Lease",
    "LedgerRow",
    "LedgerSource",
    "LoggedCall",
    "PersonRecord",
    "ProcessState",
    "SignedIn",
    "StorageUnavailable",
    "StorageUnreachable",
    "TokenUsage",
    "Tool",
    "ToolCounts",
    "Totals",
    "TotalsKey",
]
