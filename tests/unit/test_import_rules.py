"""The import contracts cannot be walked around through a re-export.

import-linter sees `from storage import Database` as an import of the package `storage`,
not of `storage.database` where the class lives, so a package that re-exports a
forbidden module's names would let a room import them unseen. Here every `from X import name` in
a contract's source modules is resolved to where `name` is defined, and checked against the
contract's forbidden modules.
"""

from __future__ import annotations

import ast
import importlib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Contract:
    name: str
    sources: tuple[str, ...]
    forbidden: tuple[str, ...]


@dataclass(frozen=True)
class ImportedName:
    path: Path
    line: int
    module: str
    name: str


def forbidden_contracts() -> list[Contract]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        table = tomllib.load(file)["tool"]["importlinter"]["contracts"]
    return [
        Contract(c["name"], tuple(c["source_modules"]), tuple(c["forbidden_modules"]))
        for c in table
        if c["type"] == "forbidden"
    ]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def names_imported(package: str) -> Iterator[ImportedName]:
    """Every `from X import name` in the package's modules, relative imports resolved."""
    folder = ROOT.joinpath(*package.split("."))
    paths = sorted(folder.rglob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]
    for path in paths:
        here = module_name(path)
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            module = node.module or ""
            if node.level:
                base = here.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join([*base, module] if module else base)
            for alias in node.names:
                yield ImportedName(path, node.lineno, module, alias.name)


def defined_in(module: str, name: str) -> str | None:
    """The module where `module.name` comes from (None where that cannot be told: a constant)."""
    try:
        owner = importlib.import_module(module)
    except ImportError:
        return None
    if not hasattr(owner, name):
        try:
            return importlib.import_module(f"{module}.{name}").__name__
        except ImportError:
            return None
    value = getattr(owner, name)
    if isinstance(value, ModuleType):
        return value.__name__
    where = getattr(value, "__module__", None)
    return where if isinstance(where, str) else None


def is_within(module: str, forbidden: str) -> bool:
    return module == forbidden or module.startswith(forbidden + ".")


def walk_arounds(contract: Contract) -> list[str]:
    found = []
    for source in contract.sources:
        for imported in names_imported(source):
            if any(is_within(imported.module, f) for f in contract.forbidden):
                continue  # a direct import: import-linter itself reports it
            origin = defined_in(imported.module, imported.name)
            if origin is not None and any(is_within(origin, f) for f in contract.forbidden):
                where = f"{imported.path.relative_to(ROOT)}:{imported.line}"
                found.append(
                    f"{where} imports {imported.name} from {imported.module}, defined in {origin}"
                )
    return found


def test_no_room_imports_a_forbidden_module_through_a_re_export() -> None:
    broken = {c.name: walk_arounds(c) for c in forbidden_contracts()}

    assert {name: found for name, found in broken.items() if found} == {}


def test_the_check_sees_a_walk_around() -> None:
    """The storage package's own re-export, as a handler would use it: caught."""
    contract = Contract("storage's SQL stays in storage", ("bot.handlers",), ("storage.records",))

    found = walk_arounds(contract)

    assert any("imports ChatKey from storage, defined in storage.records" in f for f in found)


def test_every_module_and_folder_name_is_used_once() -> None:
    """A name says which file to open: no two modules (or a module and a folder) share one."""
    names: dict[str, list[str]] = {}
    for root in ("bot", "storage"):
        for path in (ROOT / root).rglob("*"):
            if "__pycache__" in path.parts or path.name == "__init__.py":
                continue
            if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()):
                names.setdefault(path.stem, []).append(str(path.relative_to(ROOT)))

    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}
