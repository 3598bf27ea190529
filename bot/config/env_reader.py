"""Typed values read from the environment, every problem collected instead of stopping at one.

`load_config` (bot/config/__init__.py) is the only user; the owner sees all problems at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

C = TypeVar("C", bound=str)


class EnvReader:
    """Reads typed values from the environment, collecting every problem instead of stopping."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.problems: list[str] = []

    def text(self, name: str) -> str | None:
        return self._env.get(name, "").strip() or None

    def required(self, name: str, hint: str) -> str:
        value = self.text(name)
        if value is None:
            self.problems.append(f"{name} is not set: {hint}")
            return ""
        return value

    def choice(self, name: str, options: tuple[C, ...], fallback: C) -> C:
        raw = (self.text(name) or fallback).lower()
        for option in options:
            if raw == option.lower():  # "pt-br" names "pt-BR"
                return option
        self.problems.append(f"{name} must be one of {', '.join(options)}, got {raw!r}")
        return fallback

    def seconds(self, name: str, fallback: float, *, minimum: float) -> float:
        return self.number(name, fallback, unit="seconds", minimum=minimum)

    def number(
        self,
        name: str,
        fallback: float,
        *,
        unit: str,
        minimum: float | None = None,
        within: tuple[float, float] | None = None,
        why: str = "",
    ) -> float:
        """A number of `unit`: at least `minimum`, or more than `within[0]` and at most
        `within[1]` (`why` says why, in the problem)."""
        raw = self.text(name)
        if raw is None:
            return fallback
        try:
            value = float(raw)
        except ValueError:
            self.problems.append(f"{name} must be a number of {unit}, got {raw!r}")
            return fallback
        if minimum is not None and value < minimum:
            self.problems.append(f"{name} must be at least {minimum:g}, got {raw!r}")
            return fallback
        if within is not None and not within[0] < value <= within[1]:
            reason = f" ({why})" if why else ""
            self.problems.append(
                f"{name} must be more than {within[0]:g} and at most {within[1]:g}{reason}, "
                f"got {raw!r}"
            )
            return fallback
        return value

    def whole(self, name: str, fallback: int | None) -> int | None:
        raw = self.text(name)
        if raw is None:
            return fallback
        if raw.isdigit() and int(raw) > 0:
            return int(raw)
        self.problems.append(f"{name} must be a positive whole number, got {raw!r}")
        return fallback

    def flag(self, name: str, fallback: bool) -> bool:
        raw = (self.text(name) or "").lower()
        if not raw:
            return fallback
        if raw in ("1", "true", "yes", "on"):
            return True
        if raw in ("0", "false", "no", "off"):
            return False
        self.problems.append(f"{name} must be true or false, got {raw!r}")
        return fallback

    def url(self, name: str) -> str | None:
        raw = self.text(name)
        if raw is not None and not raw.startswith(("http://", "https://")):
            self.problems.append(f"{name} must start with http:// or https://, got {raw!r}")
            return None
        return raw.rstrip("/") if raw else None

    def chat_id(self, name: str) -> int | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return int(raw)
        except ValueError:
            self.problems.append(f"{name} must be a chat id (a whole number), got {raw!r}")
            return None
