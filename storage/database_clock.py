"""The database's clock, in each engine's SQL: the one clock every process of a bot shares.

Leases and heartbeats are compared across hosts, whose own clocks may disagree; so their times
are taken and compared by the database, not passed in as parameters like other times."""

from __future__ import annotations

from storage.engines import EngineName

_NOW = {
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    "postgresql": "clock_timestamp()",
}
# `?` seconds from now (a float parameter).
_LATER = {
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('%+.3f seconds', ?))",
    "postgresql": "(clock_timestamp() + ? * interval '1 second')",
}
# Now as seconds since 1970 (a float), for times kept as numbers.
_EPOCH = {
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
    "postgresql": "EXTRACT(EPOCH FROM clock_timestamp())::float8",
}
# Seconds from now until a time column (negative: past).
_UNTIL = {
    "sqlite": "((julianday({column}) - julianday('now')) * 86400.0)",
    "postgresql": "EXTRACT(EPOCH FROM ({column} - clock_timestamp()))::float8",
}


def now(engine: EngineName) -> str:
    return _NOW[engine]


def later(engine: EngineName) -> str:
    """An expression for "now plus `?` seconds" (the seconds are the statement's parameter)."""
    return _LATER[engine]


def epoch(engine: EngineName) -> str:
    return _EPOCH[engine]


def seconds_until(engine: EngineName, column: str) -> str:
    return _UNTIL[engine].format(column=column)
