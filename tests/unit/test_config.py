"""Configuration from the environment: defaults, validation messages, secrets kept out of sight."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, default, load_config

BASE = {"TELEGRAM_BOT_TOKEN": "123456:abc-secret-0123456789abcdef", "OPENAI_API_KEY": "sk-secret"}


def test_defaults_are_sensible() -> None:
    config = load_config(BASE)

    assert config.openai_model == default("openai_model")
    assert config.openai_base_url is None
    assert config.telegram_base_url == "https://api.telegram.org"
    assert config.database_path == Path("data/telethread.sqlite3")
    assert config.response_timeout == 120
    assert config.reasoning_effort == "low"
    assert config.allowed_users.nobody


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(
            {"RESPONSE_TIMEOUT": "2", "OPENAI_BASE_URL": "localhost:11434", "LOG_LEVEL": "loud"}
        )

    problems = "\n".join(raised.value.problems)
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "OPENAI_API_KEY",
        "RESPONSE_TIMEOUT",
        "OPENAI_BASE_URL",
        "LOG_LEVEL",
    ):
        assert name in problems


def test_a_malformed_token_is_named_but_not_printed() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({**BASE, "TELEGRAM_BOT_TOKEN": "not-a-token-secret"})

    assert "TELEGRAM_BOT_TOKEN" in str(raised.value)
    assert "not-a-token-secret" not in str(raised.value)


@pytest.mark.parametrize(
    ("raw", "allowed", "refused"),
    [("*", [1, 99], []), ("1, 2,3", [1, 2, 3], [4]), ("", [], [1])],
)
def test_allowed_users(raw: str, allowed: list[int], refused: list[int]) -> None:
    users = load_config({**BASE, "ALLOWED_USERS": raw}).allowed_users

    assert all(users.allows(u) for u in allowed)
    assert not any(users.allows(u) for u in refused)


def test_allowed_users_must_be_ids() -> None:
    with pytest.raises(ConfigError, match="ALLOWED_USERS"):
        load_config({**BASE, "ALLOWED_USERS": "alice"})


def test_urls_lose_their_trailing_slash() -> None:
    config = load_config(
        {
            **BASE,
            "OPENAI_BASE_URL": "http://localhost:11434/v1/",
            "TELEGRAM_BASE_URL": "http://tg:8081/",
        }
    )

    assert config.openai_base_url == "http://localhost:11434/v1"
    assert config.telegram_base_url == "http://tg:8081"


def test_reasoning_effort_can_be_turned_off_for_servers_without_it() -> None:
    assert load_config({**BASE, "OPENAI_REASONING_EFFORT": "off"}).reasoning_effort is None
    assert load_config({**BASE, "OPENAI_REASONING_EFFORT": "HIGH"}).reasoning_effort == "high"


def test_secrets_are_not_in_the_repr() -> None:
    text = repr(load_config(BASE))

    assert "abc-secret" not in text
    assert "sk-secret" not in text


def test_a_missing_personas_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PERSONAS_FILE"):
        load_config({**BASE, "PERSONAS_FILE": str(tmp_path / "nope.toml")})


def test_backend_defaults_to_responses_and_is_validated() -> None:
    assert load_config(BASE).backend == "responses"
    assert load_config({**BASE, "BOT_BACKEND": "Chat"}).backend == "chat"
    with pytest.raises(ConfigError, match="BOT_BACKEND"):
        load_config({**BASE, "BOT_BACKEND": "gemini"})


def test_a_local_server_needs_a_model_name() -> None:
    with pytest.raises(ConfigError, match="OPENAI_MODEL"):
        load_config({**BASE, "BOT_BACKEND": "chat", "OPENAI_BASE_URL": "http://localhost:11434/v1"})


def test_the_chat_backend_sends_no_reasoning_effort_unless_asked() -> None:
    assert load_config({**BASE, "BOT_BACKEND": "chat"}).reasoning_effort is None
    chat = {**BASE, "BOT_BACKEND": "chat", "OPENAI_REASONING_EFFORT": "low"}
    assert load_config(chat).reasoning_effort == "low"


def test_context_tokens_must_leave_room_for_the_answer() -> None:
    assert load_config({**BASE, "CONTEXT_TOKENS": "32768"}).context_tokens == 32768
    with pytest.raises(ConfigError, match="MAX_OUTPUT_TOKENS"):
        load_config({**BASE, "CONTEXT_TOKENS": "4096", "MAX_OUTPUT_TOKENS": "4096"})
    with pytest.raises(ConfigError, match="CONTEXT_TOKENS"):
        load_config({**BASE, "CONTEXT_TOKENS": "lots"})


def test_reply_mode_and_group_streaming_are_validated() -> None:
    config = load_config(BASE)
    assert (config.reply_mode, config.group_streaming) == ("stream", "off")
    assert load_config({**BASE, "REPLY_MODE": "poll"}).reply_mode == "poll"
    with pytest.raises(ConfigError, match="GROUP_STREAMING"):
        load_config({**BASE, "GROUP_STREAMING": "always"})


def test_group_settings() -> None:
    config = load_config(
        {
            **BASE,
            "ALLOWED_CHATS": "-100123, -42",
            "ADMIN_USERS": "7",
            "GROUP_ADMIN_ONLY": "no",
            "GROUP_TRIGGER": "bot,",
            "GROUP_CONTEXT": "all",
            "RETENTION_DAYS": "30",
        }
    )
    assert config.allowed_chats.allows(-100123) and not config.allowed_chats.allows(-1)
    assert config.admin_users == frozenset({7})
    assert (config.group_admin_only, config.group_trigger) == (False, "bot,")
    assert (config.group_context, config.retention_days) == ("all", 30)
    defaults = load_config(BASE)
    assert defaults.group_admin_only and defaults.retention_days is None
    with pytest.raises(ConfigError, match="GROUP_ADMIN_ONLY"):
        load_config({**BASE, "GROUP_ADMIN_ONLY": "maybe"})


def test_shutdown_grace_and_error_chat() -> None:
    config = load_config({**BASE, "SHUTDOWN_GRACE": "5", "ERROR_CHAT_ID": "-100"})
    assert (config.shutdown_grace, config.error_chat_id) == (5, -100)
    assert load_config(BASE).shutdown_grace == 20
    with pytest.raises(ConfigError, match="ERROR_CHAT_ID"):
        load_config({**BASE, "ERROR_CHAT_ID": "me"})


def test_max_concurrent_turns_is_a_positive_number() -> None:
    assert load_config(BASE).max_concurrent_turns == 100
    assert load_config({**BASE, "MAX_CONCURRENT_TURNS": "8"}).max_concurrent_turns == 8
    with pytest.raises(ConfigError, match="MAX_CONCURRENT_TURNS"):
        load_config({**BASE, "MAX_CONCURRENT_TURNS": "0"})


def test_telegram_pacing_defaults_and_overrides() -> None:
    assert load_config(BASE).telegram_chat_burst == 3
    assert not load_config(BASE).telegram_actions_share_limit

    config = load_config(
        {
            **BASE,
            "TELEGRAM_CHAT_BURST": "1",
            "TELEGRAM_GROUP_BURST": "5",
            "TELEGRAM_ACTIONS_SHARE_LIMIT": "true",
        }
    )

    assert (config.telegram_chat_burst, config.telegram_group_burst) == (1, 5)
    assert config.telegram_actions_share_limit


@pytest.mark.parametrize(
    ("name", "raw"),
    [("TELEGRAM_CHAT_BURST", "0"), ("TELEGRAM_CHAT_BURST", "50"), ("TELEGRAM_GROUP_BURST", "21")],
)
def test_burst_sizes_telegram_would_refuse_are_config_errors(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({**BASE, name: raw})


@pytest.mark.parametrize(
    ("name", "example"),
    [
        ("TELEGRAM_BOT_TOKEN", "123456789:replace-with-the-token-from-BotFather"),
        ("OPENAI_API_KEY", "sk-replace-me"),
    ],
)
def test_the_examples_from_env_example_are_named_as_such(name: str, example: str) -> None:
    with pytest.raises(ConfigError, match=f"{name} is still the example"):
        load_config({**BASE, name: example})


def test_image_settings_are_read_and_checked() -> None:
    config = load_config(BASE)
    assert (config.media.drawing.command, config.media.drawing.model) == (
        False,
        "gpt-image-2.6-sunburst",
    )
    custom = load_config(
        {**BASE, "IMAGE_COMMAND": "on", "IMAGE_QUALITY": "low", "IMAGE_SIZE": "1536X1024"}
    )
    assert custom.media.drawing.command
    assert (custom.media.drawing.quality, custom.media.drawing.size) == ("low", "1536x1024")
    with pytest.raises(ConfigError) as error:
        load_config({**BASE, "IMAGE_SIZE": "huge", "IMAGE_QUALITY": "best"})
    assert any("IMAGE_SIZE must be auto or WIDTHxHEIGHT" in p for p in error.value.problems)
    assert any("IMAGE_QUALITY must be one of" in p for p in error.value.problems)


def test_tools_off_names_known_tools() -> None:
    config = load_config({**BASE, "TOOLS_OFF": "Web_Search, code_interpreter"})
    assert config.tools_off == frozenset({"web_search", "code_interpreter"})
    with pytest.raises(ConfigError, match="TOOLS_OFF names browser; the tools are"):
        load_config({**BASE, "TOOLS_OFF": "browser"})


def test_variables_named_like_secrets_are_kept_out_of_the_log() -> None:
    config = load_config(
        {**BASE, "CALENDAR_TOKEN": "cal-secret-1234", "HOME_PASSWORD": "pw-secret-99",
         "SHORT_KEY": "abc", "GROUP_TRIGGER": "assistant"}
    )  # fmt: skip

    assert {"cal-secret-1234", "pw-secret-99"} <= set(config.secrets)
    assert "abc" not in config.secrets and "assistant" not in config.secrets
    assert "cal-secret-1234" not in repr(config)


WEBHOOK = {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": "s" * 32}


def test_webhooks_are_off_by_default_and_read_whole_when_set() -> None:
    assert load_config(BASE).webhook_url is None
    config = load_config(
        {**BASE, **WEBHOOK, "WEBHOOK_LISTEN": "127.0.0.1:9000", "WEBHOOK_MAX_CONNECTIONS": "10",
         "LEASE_SECONDS": "6"}
    )  # fmt: skip

    assert config.webhook_url == "https://bot.example.org/telegram"
    assert config.webhook_listen == ("127.0.0.1", 9000)
    assert (config.webhook_max_connections, config.lease_seconds) == (10, 6.0)
    assert "s" * 32 in config.secrets and "s" * 32 not in repr(config)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WEBHOOK_URL": "https://bot.example.org/telegram"}, "WEBHOOK_SECRET is not set"),
        ({**WEBHOOK, "WEBHOOK_SECRET": "short"}, "WEBHOOK_SECRET must be 16 to 256"),
        ({**WEBHOOK, "WEBHOOK_SECRET": "has spaces in it, sixteen+"}, "WEBHOOK_SECRET must be"),
        ({**WEBHOOK, "WEBHOOK_URL": "http://bot.example.org/t"}, "the bot's public https://"),
        ({**WEBHOOK, "WEBHOOK_URL": "https://bot.example.org:8080/t"}, "or 8443), got 8080"),
        ({"WEBHOOK_LISTEN": "8080"}, "WEBHOOK_LISTEN must be HOST:PORT"),
        ({"WEBHOOK_MAX_CONNECTIONS": "500"}, "WEBHOOK_MAX_CONNECTIONS must be 1 to 100"),
        ({"LEASE_SECONDS": "1"}, "LEASE_SECONDS"),
    ],
)  # fmt: skip
def test_webhook_settings_telegram_would_refuse_are_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({**BASE, **env})

    assert named in "\n".join(raised.value.problems)


def test_a_bot_api_server_of_ones_own_may_post_to_plain_http_on_any_port() -> None:
    env = {
        **BASE,
        **WEBHOOK,
        "WEBHOOK_URL": "http://10.0.0.5:8080/t",
        "TELEGRAM_BASE_URL": "http://api:8081",
    }
    assert load_config(env).webhook_url == "http://10.0.0.5:8080/t"
