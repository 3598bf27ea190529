"""The bot's configuration: one immutable object, built once at start-up and passed in.

Only `load_config` reads the environment; everything else receives a `Config`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "gpt-6-luna"
DEFAULT_DATABASE_PATH = Path("data/telethread.sqlite3")
DEFAULT_RESPONSE_TIMEOUT = 120.0
DEFAULT_CONTEXT_TOKENS = 8192
DEFAULT_CONCURRENT_TURNS = 100
BACKENDS = ("responses", "assistants", "chat")
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")


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
    """Telegram's limits as (messages, seconds): overall, per chat, per group."""

    # The limiter counts each request until a period after Telegram answered it: no margin needed.
    overall: tuple[int, float] = (30, 1.0)
    per_chat: tuple[int, float] = (1, 1.0)
    per_group: tuple[int, float] = (20, 60.0)


@dataclass(frozen=True, slots=True)
class Config:
    telegram_bot_token: str = field(repr=False)
    openai_api_key: str = field(repr=False)
    backend: str = "responses"
    reply_mode: str = "stream"
    group_streaming: str = "off"
    assistant_id: str | None = None
    context_tokens: int = DEFAULT_CONTEXT_TOKENS
    max_concurrent_turns: int = DEFAULT_CONCURRENT_TURNS
    openai_base_url: str | None = None
    telegram_base_url: str = "https://api.telegram.org"
    openai_model: str = DEFAULT_MODEL
    reasoning_effort: str | None = "low"
    max_output_tokens: int | None = None
    database_path: Path = DEFAULT_DATABASE_PATH
    personas_file: Path | None = None
    default_persona: str | None = None
    allowed_users: AllowedUsers = AllowedUsers()
    allowed_chats: AllowedUsers = AllowedUsers()  # group ids; the same "nobody / * / ids" shape
    admin_users: frozenset[int] = frozenset()
    group_admin_only: bool = True
    group_trigger: str | None = None
    group_context: str = "mentions"
    retention_days: int | None = None
    error_chat_id: int | None = None
    response_timeout: float = DEFAULT_RESPONSE_TIMEOUT
    shutdown_grace: float = 20.0
    log_level: str = "INFO"
    # Not environment settings: Telegram's own numbers, changeable in tests and benchmarks.
    typing_interval: float = 4.0  # Telegram shows "typing" for ~5 s
    flood_limits: FloodLimits = FloodLimits()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line."""
        return (self.telegram_bot_token, self.openai_api_key)


def load_config(env: Mapping[str, str]) -> Config:
    """Build the config from environment variables, naming every missing or malformed one."""
    problems: list[str] = []

    def text(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    def required(name: str, hint: str) -> str:
        value = text(name)
        if value is None:
            problems.append(f"{name} is not set: {hint}")
            return ""
        return value

    def number(name: str, default: float, *, minimum: float) -> float:
        raw = text(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            problems.append(f"{name} must be a number of seconds, got {raw!r}")
            return default
        if value < minimum:
            problems.append(f"{name} must be at least {minimum:g}, got {raw!r}")
            return default
        return value

    def url(name: str) -> str | None:
        raw = text(name)
        if raw is not None and not raw.startswith(("http://", "https://")):
            problems.append(f"{name} must start with http:// or https://, got {raw!r}")
            return None
        return raw.rstrip("/") if raw else None

    token = required("TELEGRAM_BOT_TOKEN", "create a bot with @BotFather and paste its token")
    if token and ":" not in token:
        problems.append(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected <id>:<secret>)"
        )
    api_key = required(
        "OPENAI_API_KEY", "use your OpenAI key (any non-empty text for local servers)"
    )

    backend = (text("BOT_BACKEND") or "responses").lower()
    if backend not in BACKENDS:
        problems.append(f"BOT_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}")

    def choice(name: str, options: tuple[str, ...]) -> str:
        value = (text(name) or options[0]).lower()
        if value not in options:
            problems.append(f"{name} must be one of {', '.join(options)}, got {value!r}")
            return options[0]
        return value

    reply_mode = choice("REPLY_MODE", ("stream", "poll"))
    group_streaming = choice("GROUP_STREAMING", ("off", "edit"))
    model = text("OPENAI_MODEL")
    if backend == "chat" and text("OPENAI_BASE_URL") and model is None:
        problems.append(
            "OPENAI_MODEL is not set: with BOT_BACKEND=chat and your own server, name one of "
            "its models (e.g. llama3.2 for Ollama)"
        )

    effort = text("OPENAI_REASONING_EFFORT")
    # Low effort keeps OpenAI's reasoning models snappy and cheap; other servers may not know
    # the parameter, so the chat backend sends it only when asked to.
    reasoning_effort: str | None = None if backend == "chat" else "low"
    if effort is not None:
        if effort.lower() in ("off", "default", "unset"):
            reasoning_effort = None
        elif effort.lower() in REASONING_EFFORTS:
            reasoning_effort = effort.lower()
        else:
            problems.append(
                f"OPENAI_REASONING_EFFORT must be one of {', '.join(REASONING_EFFORTS)} or 'off', "
                f"got {effort!r}"
            )

    def whole(name: str, default: int | None) -> int | None:
        raw = text(name)
        if raw is None:
            return default
        if raw.isdigit() and int(raw) > 0:
            return int(raw)
        problems.append(f"{name} must be a positive whole number, got {raw!r}")
        return default

    def flag(name: str, default: bool) -> bool:
        raw = (text(name) or "").lower()
        if not raw:
            return default
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        problems.append(f"{name} must be true or false, got {raw!r}")
        return default

    max_output_tokens = whole("MAX_OUTPUT_TOKENS", None)
    context_tokens = whole("CONTEXT_TOKENS", DEFAULT_CONTEXT_TOKENS) or DEFAULT_CONTEXT_TOKENS
    if max_output_tokens and max_output_tokens >= context_tokens:
        problems.append("MAX_OUTPUT_TOKENS must be smaller than CONTEXT_TOKENS")

    log_level = (text("LOG_LEVEL") or "INFO").upper()
    if not isinstance(logging.getLevelName(log_level), int):
        problems.append(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")
        log_level = "INFO"

    personas_file = text("PERSONAS_FILE")
    personas_path = Path(personas_file) if personas_file else None
    if personas_path is not None and not personas_path.is_file():
        problems.append(f"PERSONAS_FILE points to {personas_file!r}, which is not a file")

    config = Config(
        telegram_bot_token=token,
        openai_api_key=api_key,
        backend=backend,
        reply_mode=reply_mode,
        group_streaming=group_streaming,
        assistant_id=text("ASSISTANT_ID"),
        context_tokens=context_tokens,
        max_concurrent_turns=whole("MAX_CONCURRENT_TURNS", DEFAULT_CONCURRENT_TURNS)
        or DEFAULT_CONCURRENT_TURNS,
        openai_base_url=url("OPENAI_BASE_URL"),
        telegram_base_url=url("TELEGRAM_BASE_URL") or "https://api.telegram.org",
        openai_model=model or DEFAULT_MODEL,
        reasoning_effort=reasoning_effort,
        max_output_tokens=max_output_tokens,
        database_path=Path(text("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
        personas_file=personas_path,
        default_persona=text("DEFAULT_PERSONA"),
        allowed_users=_parse_ids("ALLOWED_USERS", text("ALLOWED_USERS"), problems),
        allowed_chats=_parse_ids("ALLOWED_CHATS", text("ALLOWED_CHATS"), problems),
        admin_users=_parse_ids("ADMIN_USERS", text("ADMIN_USERS"), problems).user_ids,
        group_admin_only=flag("GROUP_ADMIN_ONLY", True),
        group_trigger=text("GROUP_TRIGGER"),
        group_context=choice("GROUP_CONTEXT", ("mentions", "all")),
        retention_days=whole("RETENTION_DAYS", None),
        error_chat_id=_parse_chat_id(text("ERROR_CHAT_ID"), problems),
        response_timeout=number("RESPONSE_TIMEOUT", DEFAULT_RESPONSE_TIMEOUT, minimum=5),
        shutdown_grace=number("SHUTDOWN_GRACE", 20.0, minimum=0),
        log_level=log_level,
    )
    if problems:
        raise ConfigError(problems)
    return config


def _parse_ids(name: str, raw: str | None, problems: list[str]) -> AllowedUsers:
    if raw is None:
        return AllowedUsers()
    if raw == "*":
        return AllowedUsers(everyone=True)
    ids: set[int] = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            problems.append(f"{name} must be '*' or comma-separated ids, got {part!r}")
    return AllowedUsers(user_ids=frozenset(ids))


def _parse_chat_id(raw: str | None, problems: list[str]) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        problems.append(f"ERROR_CHAT_ID must be a chat id (a whole number), got {raw!r}")
        return None
