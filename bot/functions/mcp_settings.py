"""The `[mcp.NAME]` tables of the personas file: which MCP servers the bot may use, and how.

Pure: parsed into frozen values, every problem a sentence naming the table. Credentials are
read from the environment (`"Bearer ${CALENDAR_TOKEN}"`), so the file can be shared without
them; they are never logged, and never reach the model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

SERVER_NAME = re.compile(r"^[a-z0-9_-]{1,24}$")
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DEFAULT_TIMEOUT = 30.0  # seconds a call may take before the model is told it timed out
DEFAULT_RESULT_CHARS = 20_000  # a result longer than this is cut (its tokens are billed)


class McpSettingsError(ValueError):
    """An `[mcp]` table cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class McpServerSettings:
    """One MCP server: where it is (a streamable-HTTP `url`, or a local `command` over stdio)
    and what the bot may do with it."""

    name: str
    url: str | None = None
    command: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    env: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    tools: tuple[str, ...] | None = None  # the only tools offered (None: all it lists)
    confirm: tuple[str, ...] = ()  # tools that ask the user Yes/No first ("*": every tool)
    timeout: float = DEFAULT_TIMEOUT
    max_result_chars: int = DEFAULT_RESULT_CHARS

    def offers(self, tool: str) -> bool:
        return self.tools is None or tool in self.tools

    def needs_confirmation(self, tool: str) -> bool:
        return "*" in self.confirm or tool in self.confirm

    @property
    def where(self) -> str:
        """For logs and /status: the URL without credentials, or the command's program."""
        if self.url:
            return re.sub(r"//[^/@]*@", "//", self.url)
        return self.command[0] if self.command else "?"


def parse_mcp_servers(
    table: object, *, source: str, environ: Mapping[str, str]
) -> tuple[McpServerSettings, ...]:
    """`[mcp.calendar]`, `[mcp.home]`…: one server each, in file order."""
    if table is None:
        return ()
    if not isinstance(table, dict):
        raise McpSettingsError(f"{source}: 'mcp' must be a table of servers ([mcp.NAME])")
    return tuple(
        _server(name, entry, f"{source}: [mcp.{name}]", environ) for name, entry in table.items()
    )


def _server(name: str, entry: object, where: str, environ: Mapping[str, str]) -> McpServerSettings:
    if not SERVER_NAME.match(name):
        raise McpSettingsError(f"{where}: the name must be 1-24 characters of a-z, 0-9, _ and -")
    if not isinstance(entry, dict):
        raise McpSettingsError(f"{where}: expected a table")
    unknown = set(entry) - {
        "url", "command", "headers", "env", "tools", "confirm", "timeout", "max_result_chars"
    }  # fmt: skip
    if unknown:
        raise McpSettingsError(f"{where}: unknown setting(s) " + ", ".join(sorted(unknown)))
    url = entry.get("url")
    command = entry.get("command")
    if (url is None) == (command is None):
        raise McpSettingsError(f"{where}: give either 'url' (HTTP) or 'command' (a local server)")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("http://", "https://"))
    ):
        raise McpSettingsError(f"{where}: 'url' must be an http:// or https:// address")
    if command is not None and (
        not isinstance(command, list) or not command or not all(isinstance(c, str) for c in command)
    ):
        raise McpSettingsError(f"{where}: 'command' must be a list: the program and its arguments")
    timeout = entry.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or not 1 <= timeout <= 600:
        raise McpSettingsError(f"{where}: 'timeout' must be 1 to 600 seconds")
    cap = entry.get("max_result_chars", DEFAULT_RESULT_CHARS)
    if not isinstance(cap, int) or isinstance(cap, bool) or not 100 <= cap <= 1_000_000:
        raise McpSettingsError(f"{where}: 'max_result_chars' must be 100 to 1000000")
    return McpServerSettings(
        name=name,
        url=_expand(url, where, environ) if isinstance(url, str) else None,
        command=tuple(_expand(c, where, environ) for c in command or ()),
        headers=_pairs(entry.get("headers"), "headers", where, environ),
        env=_pairs(entry.get("env"), "env", where, environ),
        tools=_names(entry["tools"], "tools", where) if "tools" in entry else None,
        confirm=_names(entry.get("confirm", []), "confirm", where),
        timeout=float(timeout),
        max_result_chars=cap,
    )


def _pairs(
    value: object, key: str, where: str, environ: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise McpSettingsError(f"{where}: '{key}' must be a table of text values")
    return tuple((str(k), _expand(v, where, environ)) for k, v in value.items())


def _names(value: object, key: str, where: str) -> tuple[str, ...]:
    if value == "*":
        return ("*",)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise McpSettingsError(f"{where}: '{key}' must be a list of tool names (or \"*\")")
    return tuple(dict.fromkeys(value))


def _expand(text: str, where: str, environ: Mapping[str, str]) -> str:
    """`${NAME}` replaced by the environment's value: credentials stay out of the file."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if not environ.get(name):
            raise McpSettingsError(f"{where}: the environment variable {name} is not set")
        return environ[name]

    return REFERENCE.sub(value, text)
