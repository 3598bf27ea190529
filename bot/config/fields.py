"""What the bot's configuration holds: the typed `Config`, its parts and every default.

`bot.config.load_config` fills it from the environment; each default is written once, on its
field, and read with `default(name)`.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, TypeAlias

from bot.media.settings import MediaSettings
from bot.texts.languages import Language
from bot.usage.budgets import BudgetRules
from bot.usage.prices import PriceTable, load_prices
from storage import Tool

BackendName: TypeAlias = Literal["responses", "assistants", "chat"]
ReplyMode: TypeAlias = Literal["stream", "poll"]
PromptCacheTtl: TypeAlias = Literal["30m", "12h"]
GroupStreaming: TypeAlias = Literal["off", "edit"]
GroupContext: TypeAlias = Literal["mentions", "all"]
LogFormat: TypeAlias = Literal["text", "json"]
ReasoningEffort: TypeAlias = Literal["none", "minimal", "low", "medium", "high", "xhigh"]


class ConfigError(ValueError):
    """Raised with every problem found, so the owner can fix them all in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class AllowedUsers:
    """Who may talk to the bot: nobody (unset), everybody (`*`) or a set of user ids."""

    everyone: bool = False
    user_ids: frozenset[int] = frozenset()

    def allows(self, user_id: int) -> bool:
        return self.everyone or user_id in self.user_ids

    @property
    def nobody(self) -> bool:
        return not self.everyone and not self.user_ids


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Telegram's limits as (messages, seconds): overall, per chat, per group (tests relax them),
    and the span of a group's short burst."""

    overall: tuple[int, float]
    per_chat: tuple[int, float]
    per_group: tuple[int, float]
    group_span: float = 5.0


@dataclass(frozen=True, slots=True)
class Config:
    telegram_bot_token: str = field(repr=False)
    openai_api_key: str = field(repr=False)
    backend: BackendName = "responses"
    reply_mode: ReplyMode = "stream"
    group_streaming: GroupStreaming = "off"
    assistant_id: str | None = None
    context_tokens: int = 8192
    embedding_model: str | None = None  # the chat backend's, for knowledge (default: the model)
    # Past this many input tokens a conversation is compacted instead of re-sent whole (None:
    # never; it then grows to the model's window). What it costs: docs/usage-and-budgets.md.
    context_budget_tokens: int | None = 8000
    prompt_cache_ttl: PromptCacheTtl | None = "12h"  # how long OpenAI keeps a chat's prefix
    max_concurrent_turns: int = 100
    openai_base_url: str | None = None
    telegram_base_url: str = "https://api.telegram.org"
    openai_model: str = "gpt-6-luna"
    # Low effort keeps OpenAI's reasoning models snappy and cheap; other servers may not know
    # the parameter, so the chat backend sends it only when asked to.
    reasoning_effort: ReasoningEffort | None = "low"
    max_output_tokens: int | None = None
    database_path: Path = Path("data/telethread.sqlite3")
    # PostgreSQL instead of the file (DATABASE_URL), and how many connections the bot keeps.
    database_url: str | None = field(default=None, repr=False)
    database_pool_size: int = 10
    # Webhooks (WEBHOOK_URL): Telegram posts updates here instead of the bot polling; the secret
    # is the same for every process of the bot. None: long polling.
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: tuple[str, int] = ("0.0.0.0", 8080)  # where each process takes them
    webhook_max_connections: int = 40  # Telegram's connections at once (setWebhook)
    # The web pages (WEB_LISTEN, WEB_URL): None, off.
    web_listen: tuple[str, int] | None = None
    web_url: str | None = None
    # How long a silent process keeps the right to answer: a dead one is replaced after this.
    lease_seconds: float = 10.0
    personas_file: Path | None = None
    default_persona: str | None = None
    allowed_users: AllowedUsers = AllowedUsers()
    allowed_chats: AllowedUsers = AllowedUsers()  # group ids; the same "nobody / * / ids" shape
    admin_users: frozenset[int] = frozenset()
    group_admin_only: bool = True
    group_trigger: str | None = None
    group_context: GroupContext = "mentions"
    retention_days: int | None = None
    error_chat_id: int | None = None
    response_timeout: float = 120.0
    shutdown_grace: float = 20.0
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    default_language: Language = "en"  # where neither the chat nor Telegram tells
    # Telegram pacing (see bot/delivery/rate_limiter.py for the evidence behind each default).
    telegram_chat_burst: int = 3  # messages a quiet chat gets at once, then one a second
    telegram_group_burst: int = 4  # messages a group gets in any 5 s (and 20 a minute)
    telegram_actions_share_limit: bool = False  # typing and drafts count toward the 30/s
    budgets: BudgetRules = field(default_factory=BudgetRules)  # BUDGET_*: none, no cap
    prices: PriceTable = field(default_factory=lambda: load_prices(None, local=False))
    usage_footer: bool = False  # each answer ends with what it cost
    tools_off: frozenset[Tool] = frozenset()  # hosted tools no persona may use (TOOLS_OFF)
    media: MediaSettings = field(
        default_factory=MediaSettings
    )  # voice, photos, documents: limits and switches
    # Not environment settings: timings changeable in tests and benchmarks.
    typing_interval: float = 4.0  # Telegram shows "typing" for ~5 s
    heartbeat_interval: float = 20.0  # `python -m bot health` allows three missed beats
    quota_pause: float = 600.0  # no model calls this long after "insufficient quota"
    flood_limits: FloodLimits | None = None  # None: Telegram's, as the rate limiter knows them
    telegram_retry: float = 1.0  # the first wait before a send is tried again in an outage
    standby_poll: float = 0.25  # how often a standby process asks for the lease
    journal_poll: float = 0.25  # how often the answering process reads the webhook journal
    # Values of other variables named like secrets (e.g. an MCP server's CALENDAR_TOKEN).
    other_secrets: tuple[str, ...] = field(default=(), repr=False)
    database_secrets: tuple[str, ...] = field(default=(), repr=False)  # DATABASE_URL's password

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line."""
        return (
            self.telegram_bot_token,
            self.openai_api_key,
            *filter(None, [self.media.transcription.api_key]),
            *self.other_secrets,
            *self.database_secrets,
            *filter(None, [self.webhook_secret]),
        )

    @property
    def streams_replies(self) -> bool:
        return self.reply_mode == "stream"

    @property
    def edits_in_groups(self) -> bool:
        return self.group_streaming == "edit"

    @property
    def adds_group_context(self) -> bool:
        return self.group_context == "all"


def default(name: str) -> Any:
    """The default of a `Config` field: the one place each default is written."""
    for item in fields(Config):
        if item.name == name and item.default is not MISSING:
            return item.default
    raise KeyError(name)
