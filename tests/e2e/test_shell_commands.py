"""The commands a new owner types: help that names them all, and installs only when needed."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBCOMMANDS = ("test", "test-real", "bench", "backup", "migrate-to-postgres", "health", "help")
# Stands in for the project's .venv/bin/python: notes what it was asked to do.
RECORDING_PYTHON = '#!/bin/sh\necho "$*" >> "$(dirname "$0")/../../calls.log"\n'


def run_sh(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHON": sys.executable}
    return subprocess.run(
        ["bash", str(folder / "run.sh"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_run_sh_help_names_every_command() -> None:
    result = run_sh(ROOT, "help")

    assert result.returncode == 0, result.stderr
    for command in SUBCOMMANDS:
        assert f"\n  {command}" in result.stdout


def test_python_m_bot_help_names_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    for command in ("health", "backup PATH", "migrate-to-postgres [URL]", "help"):
        assert f"\n  {command}" in result.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """run.sh and pyproject.toml in a folder whose .venv records instead of installing."""
    shutil.copy(ROOT / "run.sh", tmp_path / "run.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(RECORDING_PYTHON)
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return tmp_path


def installs(project: Path) -> list[str]:
    log = project / "calls.log"
    calls = log.read_text().splitlines() if log.is_file() else []
    return [call for call in calls if call.startswith("-m pip install") and " -e " in call]


def test_switching_commands_installs_once_and_then_needs_no_package_index(project: Path) -> None:
    for command in ("health", "test-real", "health", "bot", "test-real", "bench", "health"):
        assert run_sh(project, command).returncode == 0

    assert installs(project) == [
        "-m pip install --quiet --disable-pip-version-check -e .",
        "-m pip install --quiet --disable-pip-version-check -e .[test]",
    ]
    assert "-m bot health" in (project / "calls.log").read_text()


def test_only_a_change_of_dependencies_installs_again(project: Path) -> None:
    run_sh(project, "test-real")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.example]\nsetting = "not a dependency"\n')
    run_sh(project, "health")
    assert len(installs(project)) == 1

    pyproject.write_text(pyproject.read_text().replace('"pytest>=9",', '"pytest>=9.0.1",'))
    run_sh(project, "health")
    run_sh(project, "test-real")

    assert len(installs(project)) == 3  # the bot's packages, then the test tools once more
