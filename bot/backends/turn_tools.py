"""What a turn may use besides the model's own tools, as the backends see it: the owner's
functions (their definitions, the calls the model makes, who runs them) and the documents of a
persona's knowledge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A function the model may call (one of the owner's tools): its name, what it does, and
    its parameters' JSON Schema."""

    name: str
    description: str
    parameters: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """A call the model asked for; `arguments` is JSON text, as the model wrote it."""

    call_id: str
    name: str
    arguments: str
    source: str = ""  # the run that waits for its output, where the API needs it (threads)


@dataclass(frozen=True, slots=True)
class KnowledgeFile:
    """One document of a persona's knowledge folder, by content: `path` names it within the
    folder, `sha256` says whether the copy on the server is still this one."""

    path: str  # relative, with "/" (e.g. "recipes/bread.md")
    sha256: str
    size: int
    location: Path  # where to read it, when it must be uploaded


class FunctionCaller(Protocol):
    async def __call__(self, call: FunctionCall) -> str:
        """The output the model reads; never raises (a failure is an output too)."""
        ...


@dataclass(frozen=True, slots=True)
class KnowledgeCopy:
    """A knowledge folder as the backend holds it: the handle a turn searches it by, and the
    documents it can search (a server may read fewer kinds than the folder has)."""

    handle: str
    searched: tuple[str, ...]  # their paths
