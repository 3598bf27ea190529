"""The Docker image as written (no Docker engine here): layers that cache, a data folder that
holds whatever path the owner's .env names."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_a_code_change_does_not_reinstall_the_dependencies() -> None:
    steps = instructions()
    copies = [(n, args) for n, (kind, args) in enumerate(steps) if kind == "COPY"]
    first_code = min(n for n, args in copies if args.startswith(("bot", "storage")))
    installs = [
        n for n, (kind, args) in enumerate(steps) if kind == "RUN" and "pip install -r" in args
    ]

    assert installs and installs[0] < first_code
    assert all(args.startswith("pyproject.toml") for n, args in copies if n < installs[0])
    assert any("pip install --no-deps ." in args for kind, args in steps[first_code:])


def test_the_bot_runs_in_its_volume_so_a_relative_database_path_persists() -> None:
    steps = instructions()
    [volume] = [args for kind, args in steps if kind == "VOLUME"]
    workdirs = [args for kind, args in steps if kind == "WORKDIR"]
    example = (ROOT / ".env.example").read_text()
    [database] = [
        line.split("=", 1)[1].split()[0]
        for line in example.splitlines()
        if line.lstrip("# ").startswith("DATABASE_PATH=")
    ]

    assert volume == '["/data"]'
    assert workdirs[-1] == "/data"
    assert not database.startswith("/")  # uncommented in .env, it resolves inside /data


def services() -> dict[str, str]:
    """docker-compose.yml's services, each as the text of its block (no YAML parser here)."""
    text = (ROOT / "docker-compose.yml").read_text().split("\nservices:\n", 1)[1]
    text = text.split("\nvolumes:\n", 1)[0]
    blocks: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            name = line.strip().rstrip(":")
            blocks[name] = ""
        elif name:
            blocks[name] += line + "\n"
    return blocks


def test_the_postgres_profile_starts_a_healthy_database_before_the_bot() -> None:
    found = services()
    database, bot = found["postgres"], found["telethread"]

    assert 'profiles: ["postgres"]' in database and "profiles" not in bot  # SQLite by default
    assert "pg_isready" in database and "telethread-postgres:/var/lib/postgresql/data" in database
    assert "condition: service_healthy" in bot and "required: false" in bot
    assert "POSTGRES_PASSWORD" in (ROOT / ".env.example").read_text()


def test_the_webhook_profile_puts_a_tls_proxy_before_every_bot_process() -> None:
    proxy = services()["proxy"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    example = (ROOT / ".env.example").read_text()

    assert 'profiles: ["webhook"]' in proxy and '"443:443"' in proxy
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy
    # Every replica of the bot's service, found by name, the posts spread over them.
    assert "dynamic a {" in caddyfile and "name telethread" in caddyfile
    assert "port 8080" in caddyfile and "lb_policy round_robin" in caddyfile
    assert "{$WEBHOOK_DOMAIN}" in caddyfile and "WEBHOOK_DOMAIN" in example
    assert "--scale telethread=2" in (ROOT / "docker-compose.yml").read_text()
