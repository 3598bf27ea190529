"""The bot's configuration: one immutable object, built once at start-up and passed in.

Only `load_config` reads the environment; everything else receives a `Config` (its fields and
defaults in `bot.config.fields`). Telegram's own numbers live with the code that obeys them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict, get_args

from bot.config.budget_env import read_budgets, read_prices
from bot.config.database_env import read_database
from bot.config.env_reader import EnvReader
from bot.config.fields import (
    AllowedUsers,
    BackendName,
    Config,
    ConfigError,
    FloodLimits,
    GroupContext,
    GroupStreaming,
    LogFormat,
    PromptCacheTtl,
    ReasoningEffort,
    ReplyMode,
    default,
)
from bot.config.media_env import read_media
from bot.config.web_env import read_web
from bot.config.webhook_env import read_webhook
from bot.texts.languages import LANGUAGES
from storage import TOOLS, Tool

__all__ = [
    "AllowedUsers",
    "BackendName",
    "Config",
    "ConfigError",
    "FloodLimits",
    "GroupContext",
    "GroupStreaming",
    "LogFormat",
    "ReasoningEffort",
    "ReplyMode",
    "default",
    "load_config",
]

MIN_CONTEXT_BUDGET = 1000  # the Responses API's least compact_threshold
SECRET_NAMES = ("_TOKEN", "_KEY", "_SECRET", "_PASSWORD")
MIN_SECRET = 8  # shorter values would blank out ordinary words in the log
BOT_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")  # what @BotFather hands out


def other_secrets(env: Mapping[str, str]) -> tuple[str, ...]:
    """Values of variables named like secrets (CALENDAR_TOKEN, …_KEY, …_SECRET, …_PASSWORD):
    what the personas file's ${NAME} references may hand an MCP server, kept out of the log."""
    return tuple(
        sorted(
            value
            for name, value in env.items()
            if name.upper().endswith(SECRET_NAMES) and len(value) >= MIN_SECRET
        )
    )


def load_config(env: Mapping[str, str]) -> Config:
    """Build the config from environment variables, naming every missing or malformed one."""
    read = EnvReader(env)
    token, api_key = _secrets(read)
    backend, model = _backend_and_model(read)
    context_tokens = read.whole("CONTEXT_TOKENS", None) or default("context_tokens")
    max_output_tokens = read.whole("MAX_OUTPUT_TOKENS", None)
    if max_output_tokens and max_output_tokens >= context_tokens:
        read.problems.append("MAX_OUTPUT_TOKENS must be smaller than CONTEXT_TOKENS")
    budgets = read_budgets(read)
    base_url = read.url("OPENAI_BASE_URL")
    telegram_base_url = read.url("TELEGRAM_BASE_URL")
    config = Config(
        telegram_bot_token=token,
        openai_api_key=api_key,
        other_secrets=other_secrets(env),
        backend=backend,
        reply_mode=read.choice("REPLY_MODE", get_args(ReplyMode), default("reply_mode")),
        group_streaming=read.choice(
            "GROUP_STREAMING", get_args(GroupStreaming), default("group_streaming")
        ),
        assistant_id=read.text("ASSISTANT_ID"),
        context_tokens=context_tokens,
        embedding_model=read.text("EMBEDDING_MODEL"),
        context_budget_tokens=_context_budget(read),
        prompt_cache_ttl=_prompt_cache_ttl(read),
        max_concurrent_turns=read.whole("MAX_CONCURRENT_TURNS", None)
        or default("max_concurrent_turns"),
        openai_base_url=base_url,
        telegram_base_url=telegram_base_url or default("telegram_base_url"),
        openai_model=model,
        reasoning_effort=_reasoning_effort(read, backend),
        max_output_tokens=max_output_tokens,
        database_path=Path(read.text("DATABASE_PATH") or default("database_path")),
        **read_database(read),
        **read_webhook(read, own_bot_api=telegram_base_url is not None),
        **read_web(read),
        personas_file=_personas_file(read),
        default_persona=read.text("DEFAULT_PERSONA"),
        allowed_users=_ids(read, "ALLOWED_USERS"),
        allowed_chats=_ids(read, "ALLOWED_CHATS"),
        admin_users=_ids(read, "ADMIN_USERS").user_ids,
        group_admin_only=read.flag("GROUP_ADMIN_ONLY", default("group_admin_only")),
        group_trigger=read.text("GROUP_TRIGGER"),
        group_context=read.choice(
            "GROUP_CONTEXT", get_args(GroupContext), default("group_context")
        ),
        retention_days=read.whole("RETENTION_DAYS", None),
        error_chat_id=read.chat_id("ERROR_CHAT_ID"),
        response_timeout=read.seconds("RESPONSE_TIMEOUT", default("response_timeout"), minimum=5),
        shutdown_grace=read.seconds("SHUTDOWN_GRACE", default("shutdown_grace"), minimum=0),
        log_level=_log_level(read),
        log_format=read.choice("LOG_FORMAT", get_args(LogFormat), default("log_format")),
        default_language=read.choice("DEFAULT_LANGUAGE", LANGUAGES, default("default_language")),
        **_pacing(read),
        budgets=budgets,
        prices=read_prices(read, model=model, base_url=base_url, budgets=budgets),
        usage_footer=read.flag("USAGE_FOOTER", default("usage_footer")),
        media=read_media(read, base_url=base_url, api_key=api_key),
        tools_off=_tools_off(read),
    )
    if read.problems:
        raise ConfigError(read.problems)
    return config


def _backend_and_model(read: EnvReader) -> tuple[BackendName, str]:
    """BOT_BACKEND and OPENAI_MODEL: a server of the owner's own has no default model."""
    backend = read.choice("BOT_BACKEND", get_args(BackendName), default("backend"))
    model = read.text("OPENAI_MODEL")
    if backend == "chat" and read.text("OPENAI_BASE_URL") and model is None:
        read.problems.append(
            "OPENAI_MODEL is not set: with BOT_BACKEND=chat and your own server, name one of "
            "its models (e.g. llama3.2 for Ollama)"
        )
    return backend, model or default("openai_model")


def _context_budget(read: EnvReader) -> int | None:
    """CONTEXT_BUDGET_TOKENS: a whole number of at least 1,000 (the API's least compaction
    threshold), or `off` to let conversations grow to the model's window."""
    raw = (read.text("CONTEXT_BUDGET_TOKENS") or "").lower()
    if raw == "off":
        return None
    fallback: int | None = default("context_budget_tokens")
    budget = read.whole("CONTEXT_BUDGET_TOKENS", fallback)
    if budget is not None and budget < MIN_CONTEXT_BUDGET:
        read.problems.append(
            f"CONTEXT_BUDGET_TOKENS must be at least {MIN_CONTEXT_BUDGET:,} or 'off', got {budget}"
        )
        return fallback
    return budget


def _prompt_cache_ttl(read: EnvReader) -> PromptCacheTtl | None:
    """PROMPT_CACHE_TTL: how long OpenAI keeps a conversation's cached prefix, or `off`."""
    if (read.text("PROMPT_CACHE_TTL") or "").lower() == "off":
        return None
    fallback: PromptCacheTtl = default("prompt_cache_ttl")
    ttl: PromptCacheTtl = read.choice("PROMPT_CACHE_TTL", get_args(PromptCacheTtl), fallback)
    return ttl


def _personas_file(read: EnvReader) -> Path | None:
    personas_file = read.text("PERSONAS_FILE")
    path = Path(personas_file) if personas_file else None
    if path is not None and not path.is_file():
        read.problems.append(f"PERSONAS_FILE points to {personas_file!r}, which is not a file")
    return path


def _secrets(read: EnvReader) -> tuple[str, str]:
    """TELEGRAM_BOT_TOKEN and OPENAI_API_KEY: set, not the examples, a token's shape."""
    token = read.required("TELEGRAM_BOT_TOKEN", "create a bot with @BotFather and paste its token")
    if token and "replace" in token.lower():
        read.problems.append(
            "TELEGRAM_BOT_TOKEN is still the example from .env.example: paste the token "
            "@BotFather gave you"
        )
    elif token and not BOT_TOKEN.fullmatch(token):
        read.problems.append(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected <digits>:<secret>, as "
            "@BotFather shows it)"
        )
    api_key = read.required(
        "OPENAI_API_KEY", "use your OpenAI key (any non-empty text for local servers)"
    )
    if "replace-me" in api_key:
        read.problems.append(
            "OPENAI_API_KEY is still the example from .env.example: use your OpenAI key "
            "(any non-empty text for local servers)"
        )
    return token, api_key


def _reasoning_effort(read: EnvReader, backend: BackendName) -> ReasoningEffort | None:
    """OPENAI_REASONING_EFFORT, or `off` to send none; the chat backend sends none unless set."""
    fallback: ReasoningEffort | None = None if backend == "chat" else default("reasoning_effort")
    raw = (read.text("OPENAI_REASONING_EFFORT") or "").lower()
    if not raw:
        return fallback
    if raw in ("off", "default", "unset"):
        return None
    efforts: tuple[ReasoningEffort, ...] = get_args(ReasoningEffort)
    for effort in efforts:
        if raw == effort:
            return effort
    read.problems.append(
        f"OPENAI_REASONING_EFFORT must be one of {', '.join(efforts)} or 'off', got {raw!r}"
    )
    return fallback


def _tools_off(read: EnvReader) -> frozenset[Tool]:
    """TOOLS_OFF: hosted tools turned off for every persona (e.g. web_search,image_generation)."""
    names = {n.strip().lower() for n in (read.text("TOOLS_OFF") or "").split(",") if n.strip()}
    if unknown := sorted(names - set(TOOLS)):
        read.problems.append(
            f"TOOLS_OFF names {', '.join(unknown)}; the tools are {', '.join(TOOLS)}"
        )
    return frozenset(tool for tool in TOOLS if tool in names)


def _ids(read: EnvReader, name: str) -> AllowedUsers:
    raw = read.text(name)
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
            read.problems.append(f"{name} must be '*' or comma-separated ids, got {part!r}")
    return AllowedUsers(user_ids=frozenset(ids))


class _Pacing(TypedDict):
    telegram_chat_burst: int
    telegram_group_burst: int
    telegram_actions_share_limit: bool


def _pacing(read: EnvReader) -> _Pacing:
    """The owner's say in Telegram's pacing: the bursts, and whether typing shares the 30/s."""
    return _Pacing(
        telegram_chat_burst=_burst(read, "TELEGRAM_CHAT_BURST", "telegram_chat_burst", 10),
        telegram_group_burst=_burst(read, "TELEGRAM_GROUP_BURST", "telegram_group_burst", 20),
        telegram_actions_share_limit=read.flag(
            "TELEGRAM_ACTIONS_SHARE_LIMIT", default("telegram_actions_share_limit")
        ),
    )


def _burst(read: EnvReader, name: str, field_name: str, most: int) -> int:
    """A burst size: at least one message, at most what Telegram could plausibly allow."""
    burst = read.whole(name, None) or int(default(field_name))
    if burst > most:
        read.problems.append(f"{name} must be at most {most}, got {burst}")
        return int(default(field_name))
    return burst


def _log_level(read: EnvReader) -> str:
    level = (read.text("LOG_LEVEL") or default("log_level")).upper()
    if not isinstance(logging.getLevelName(level), int):
        read.problems.append(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
        return str(default("log_level"))
    return level
