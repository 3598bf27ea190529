#!/usr/bin/env bash
# Telethread. Run the bot with `./run.sh`, the tests with `./run.sh test`; `./run.sh help` lists
# the rest. The first use creates .venv and installs what the command needs; later uses install
# nothing until pyproject.toml's dependencies change (no package index needed in between).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
VENV=.venv

usage() {
    cat <<'TEXT'
Telethread: a Telegram bot that gives every chat its own AI conversation.

usage: ./run.sh [COMMAND]

  (none), bot       run the bot (reads .env; see .env.example)
  test [ARGS]       lint, type-check and run the test suite (ARGS go to pytest)
  test-real         the chat backend against a real llama.cpp server (built once, minutes)
  bench [OPTIONS]   the benchmark on loopback fakes (./run.sh bench --help)
  backup PATH       a consistent copy of the database, safe while the bot runs
  migrate-to-postgres [URL]
                    copy a SQLite bot into an empty PostgreSQL database (bot stopped)
  health            is the running bot healthy? (exit 0 if so; Docker's HEALTHCHECK)
  help              this text

The first command creates .venv and installs what it needs (the tools for test, test-real and
bench as well); later commands install nothing until pyproject.toml's dependencies change.
TEXT
}

dependencies_key() {  # changes when what pip installs changes: [project] and [build-system]
    "$PYTHON" - <<'PY'
import hashlib, json, tomllib
with open("pyproject.toml", "rb") as file:
    data = tomllib.load(file)
wanted = [data.get("build-system"), data.get("project")]
print(hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()[:16])
PY
}

ensure_env() {  # $1: "bot" (the bot's packages) or "test" (those and the test tools)
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "Telethread needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
        exit 1
    fi
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    local key stamp
    key=$(dependencies_key)
    stamp="$VENV/.installed-$key"
    # The test tools come with the bot's packages: a test install serves the bot too.
    if [ -f "$stamp-test" ] || { [ "$1" = bot ] && [ -f "$stamp-bot" ]; }; then
        return
    fi
    local extras=""
    [ "$1" = test ] && extras="[test]"
    echo "Installing Telethread's dependencies into $VENV${extras:+ (with the test tools)}..." >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip \
        || echo "(could not upgrade pip; going on with the one there is)" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".$extras"
    rm -f "$VENV"/.installed-*
    touch "$stamp-$1"
}

case "${1:-bot}" in
    bot)
        ensure_env bot
        exec "$VENV/bin/python" -m bot
        ;;
    test)
        ensure_env test
        "$VENV/bin/ruff" check .
        "$VENV/bin/ruff" format --check .
        "$VENV/bin/mypy"
        "$VENV/bin/lint-imports" --no-cache
        exec "$VENV/bin/python" -m pytest "${@:2}"
        ;;
    test-real)
        ensure_env test
        exec "$VENV/bin/python" -m tests.real.lane "${@:2}"
        ;;
    backup | health | migrate-to-postgres)
        ensure_env bot
        exec "$VENV/bin/python" -m bot "$@"
        ;;
    bench)
        ensure_env test
        exec "$VENV/bin/python" bench/run.py "${@:2}"
        ;;
    help | -h | --help)
        usage
        ;;
    *)
        usage >&2
        exit 2
        ;;
esac
