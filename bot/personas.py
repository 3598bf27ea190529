"""Personas: named instructions a chat can switch between, loaded from a TOML file."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bot.functions.mcp_settings import McpServerSettings, McpSettingsError, parse_mcp_servers
from bot.texts.languages import LANGUAGES
from storage import TOOLS, Tool

PERSONA_NAME = re.compile(r"^[a-z0-9_-]{1,32}$")
# Hosted tools a persona may use (each a cost of its own: see the README's Personas section).


class PersonaFileError(ValueError):
    """The personas file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    title: str
    description: str
    instructions: str
    # Optional (language, title, description) for the /persona menu in other languages; the
    # instructions stay as the owner wrote them (the bot adds which language to answer in).
    translations: tuple[tuple[str, str, str], ...] = ()
    tools: tuple[Tool, ...] = ()  # as the file asks; the backend may offer fewer
    # The owner's tools it may use: MCP servers ("calendar") or single tools ("calendar.add").
    mcp: tuple[str, ...] = ()
    knowledge: Path | None = None  # a folder of documents it answers from (file search)

    @property
    def wanted_tools(self) -> tuple[Tool, ...]:
        """Its hosted tools, and file search where it has knowledge."""
        return (*self.tools, "file_search") if self.knowledge else self.tools

    def title_in(self, language: str) -> str:
        return next((t for lang, t, _ in self.translations if lang == language), self.title)

    def description_in(self, language: str) -> str:
        found = (d for lang, _, d in self.translations if lang == language)
        return next(found, self.description)


@dataclass(frozen=True, slots=True)
class PersonaBook:
    """The personas on offer, in file order, with the one new chats start with."""

    personas: tuple[Persona, ...]
    default: Persona
    servers: tuple[McpServerSettings, ...] = ()  # the file's [mcp.NAME] tables

    def get(self, name: str) -> Persona | None:
        wanted = name.strip().lower()
        return next((p for p in self.personas if p.name == wanted), None)

    def resolve(self, name: str | None) -> Persona:
        """The named persona, or the default when it is unknown (e.g. removed from the file)."""
        return (self.get(name) if name else None) or self.default

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.personas]


def load_personas(
    path: Path | None = None,
    default_name: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> PersonaBook:
    """Load the owner's file, or the bundled one when `path` is None (`environ`: where the
    `${NAME}` references of its [mcp] tables are read; the process's environment)."""
    if path is None:
        text = resources.files("bot").joinpath("personas.toml").read_text(encoding="utf-8")
        source = "bundled personas.toml"
    else:
        text = path.read_text(encoding="utf-8")
        source = str(path)
    return parse_personas(
        text,
        source=source,
        default_name=default_name,
        environ=os.environ if environ is None else environ,
        base=path.parent if path is not None else Path.cwd(),
    )


def _translations(table: object, where: str) -> tuple[tuple[str, str, str], ...]:
    """`[persona.translations.pt-BR]` tables: a title and a description per language."""
    if not isinstance(table, dict):
        raise PersonaFileError(f"{where}: 'translations' must be a table of languages")
    found = []
    for language, texts in table.items():
        if language not in LANGUAGES:
            raise PersonaFileError(
                f"{where}: translations for {language!r}; the languages are " + ", ".join(LANGUAGES)
            )
        title = texts.get("title", "") if isinstance(texts, dict) else None
        description = texts.get("description", "") if isinstance(texts, dict) else None
        if not isinstance(title, str) or not isinstance(description, str):
            raise PersonaFileError(f"{where}: translations.{language} needs text values")
        found.append((language, title.strip(), description.strip()))
    return tuple(found)


def _tools(value: object, where: str) -> tuple[Tool, ...]:
    """`tools = ["code_interpreter", "web_search"]`: known names, each once."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PersonaFileError(f"{where}: 'tools' must be a list of tool names")
    found: list[Tool] = []
    listed = tuple(t for t in TOOLS if t != "file_search")  # that one comes with `knowledge`
    for name in value:
        tool = next((t for t in listed if t == name.strip().lower()), None)
        if tool is None:
            raise PersonaFileError(
                f"{where}: unknown tool {name!r}; the tools are "
                + ", ".join(listed)
                + ' (a persona searches documents with knowledge = "folder")'
            )
        if tool not in found:
            found.append(tool)
    return tuple(found)


def _mcp(value: object, where: str, servers: tuple[McpServerSettings, ...]) -> tuple[str, ...]:
    """`mcp = ["calendar", "home.lights_on"]`: servers of the [mcp] tables, or one tool each."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PersonaFileError(f"{where}: 'mcp' must be a list of server (or server.tool) names")
    names = {s.name for s in servers}
    for entry in value:
        if entry.split(".", 1)[0] not in names:
            raise PersonaFileError(
                f"{where}: mcp names {entry!r}, but the file's [mcp] tables are: "
                + (", ".join(sorted(names)) or "none")
            )
    return tuple(dict.fromkeys(value))


def _knowledge(value: object, where: str, base: Path | None) -> Path | None:
    """`knowledge = "knowledge/handbook"`: a folder, relative to the personas file."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PersonaFileError(f"{where}: 'knowledge' must be a folder's path")
    folder = Path(value.strip()).expanduser()
    if not folder.is_absolute() and base is not None:
        folder = base / folder
    if not folder.is_dir():
        raise PersonaFileError(f"{where}: the knowledge folder {str(folder)!r} does not exist")
    return folder


def _persona(
    entry: object, where: str, servers: tuple[McpServerSettings, ...], base: Path | None
) -> Persona:
    """One [[persona]] table."""
    if not isinstance(entry, dict):
        raise PersonaFileError(f"{where}: expected a table")
    fields: dict[str, str] = {}
    for key in ("name", "title", "description", "instructions"):
        value = entry.get(key, "")
        if not isinstance(value, str):
            raise PersonaFileError(f"{where}: '{key}' must be text")
        fields[key] = value.strip()
    name = fields["name"]
    if not PERSONA_NAME.match(name):
        raise PersonaFileError(
            f"{where}: name {name!r} must be 1-32 characters of a-z, 0-9, _ and -"
        )
    where = f"{where} ({name})"
    if not fields["instructions"]:
        raise PersonaFileError(f"{where}: 'instructions' is empty")
    return Persona(
        name=name,
        title=fields["title"] or name,
        description=fields["description"],
        instructions=fields["instructions"],
        translations=_translations(entry.get("translations", {}), where),
        tools=_tools(entry.get("tools", []), where),
        mcp=_mcp(entry.get("mcp", []), where, servers),
        knowledge=_knowledge(entry.get("knowledge"), where, base),
    )


def parse_personas(
    text: str,
    *,
    source: str,
    default_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    base: Path | None = None,
) -> PersonaBook:
    """The personas in `text`; `base`: where relative knowledge folders are (the file's)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PersonaFileError(f"{source}: not valid TOML ({exc})") from exc
    try:
        servers = parse_mcp_servers(data.get("mcp"), source=source, environ=environ or {})
    except McpSettingsError as exc:
        raise PersonaFileError(str(exc)) from exc
    entries = data.get("persona")
    if not isinstance(entries, list) or not entries:
        raise PersonaFileError(f"{source}: expected one or more [[persona]] tables")

    personas: list[Persona] = []
    for index, entry in enumerate(entries, start=1):
        persona = _persona(entry, f"{source}: persona #{index}", servers, base)
        if any(p.name == persona.name for p in personas):
            raise PersonaFileError(
                f"{source}: persona #{index}: the name {persona.name!r} is used twice"
            )
        personas.append(persona)

    default = personas[0]
    if default_name:
        chosen = next((p for p in personas if p.name == default_name.strip().lower()), None)
        if chosen is None:
            raise PersonaFileError(
                f"DEFAULT_PERSONA is {default_name!r}, but {source} has only: "
                + ", ".join(p.name for p in personas)
            )
        default = chosen
    return PersonaBook(personas=tuple(personas), default=default, servers=servers)
