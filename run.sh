#!/usr/bin/env bash
# Telethread's two commands:
#   ./run.sh        run the bot (creates .venv and installs on first use; reads .env)
#   ./run.sh test   lint, type-check and run the whole test suite
#   ./run.sh bench  the benchmark (see bench/run.py and the README's Performance section)
#   ./run.sh test-real     the chat backend against a real model server (builds llama.cpp once)
#   ./run.sh backup PATH   a consistent copy of the database, safe while the bot runs
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
VENV=.venv

ensure_env() {  # $1: pip extras ("" or "[test]")
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "Telethread needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
        exit 1
    fi
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    # Reinstall only when the dependencies changed.
    local stamp="$VENV/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)$1"
    if [ ! -f "$stamp" ]; then
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".$1"
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}

case "${1:-bot}" in
    bot)
        ensure_env ""
        exec "$VENV/bin/python" -m bot
        ;;
    test)
        ensure_env "[test]"
        "$VENV/bin/ruff" check .
        "$VENV/bin/ruff" format --check .
        "$VENV/bin/mypy"
        "$VENV/bin/lint-imports" --no-cache
        exec "$VENV/bin/python" -m pytest "${@:2}"
        ;;
    test-real)
        ensure_env "[test]"
        exec "$VENV/bin/python" -m tests.real.lane "${@:2}"
        ;;
    backup)
        ensure_env ""
        exec "$VENV/bin/python" -m bot backup "${@:2}"
        ;;
    bench)
        ensure_env "[test]"
        exec "$VENV/bin/python" bench/run.py "${@:2}"
        ;;
    *)
        echo "usage: ./run.sh [bot|test [pytest args]|test-real|bench [options]|backup PATH]" >&2
        exit 2
        ;;
esac
