"""`./run.sh bench --only`: exact names, and every run writes what it measured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import run as bench


def test_only_takes_exact_names_and_lists_them_when_wrong() -> None:
    assert bench.plan("ledger") == bench.Plan([], ["ledger"])
    assert [s.key for s in bench.plan("group,poll").scenarios] == ["poll", "group"]
    assert bench.plan("tools,stream").suites == ["tools"]
    with pytest.raises(
        ValueError,
        match=r"unknown: e .*the names: ledger, media, tools, long-chat, owner-tools, web, text",
    ):
        bench.plan("e")  # a substring of "ledger" and of most scenario names


def test_everything_and_text_are_what_they_say() -> None:
    everything = bench.plan(None)
    assert everything.suites == ["ledger", "media", "tools", "long-chat", "owner-tools", "web"]
    assert everything.scenarios == bench.STANDARD == bench.plan("text").scenarios
    assert bench.plan("text").suites == []


def test_a_suite_alone_writes_its_results(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    measured: dict[str, Any] = {"metering per turn p50 ms": 0.4}
    monkeypatch.setattr(
        bench, "run_suite", lambda name, where: measured if name == "ledger" else None
    )
    out = tmp_path / "results" / "ledger.json"

    bench.main(["--only", "ledger", "--out", str(out)])

    written = json.loads(out.read_text())
    assert written["ledger"] == measured
    assert written["results"] == [] and written["media"] is None


def test_processes_are_the_scenarios_of_several_processes_and_not_in_everything() -> None:
    assert bench.plan("processes").scenarios == bench.MANY
    assert [s.key for s in bench.plan("kill,procs-2").scenarios] == ["procs-2", "kill"]
    assert not [s for s in bench.plan(None).scenarios if s in bench.MANY]  # need PostgreSQL
