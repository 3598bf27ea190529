"""A throwaway PostgreSQL cluster for the tests: Debian's server, run as its own user with a
socket directory of its own (`../shared/research/scale.md` §6 has the recipe and its traps).

`initdb` refuses root, so as root the cluster runs as the `postgres` user (runuser). The data
lives in a temporary folder and is gone after `stop()`. `fsync=off`: the OS does not crash in a
test; `synchronous_commit` stays on, or a killed server would lose acknowledged commits.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Where Debian puts each major version's programs; the newest wins.
DEBIAN_BINARIES = Path("/usr/lib/postgresql")


class PostgresMissing(Exception):
    """No PostgreSQL server programs on this machine."""


def server_programs() -> Path:
    """The folder holding initdb and pg_ctl (Debian's layout, else whatever PATH has)."""
    found = sorted(
        (p / "bin" for p in DEBIAN_BINARIES.glob("*") if (p / "bin" / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb is None:
        raise PostgresMissing(
            "PostgreSQL's server programs (initdb, pg_ctl) are not installed: "
            "apt-get install postgresql (Debian), or set TEST_DATABASE_URL"
        )
    return Path(initdb).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresCluster:
    """One cluster on 127.0.0.1: `start()`, `url`, `stop()`; `halt()`/`resume()` take the
    server away and bring it back on the same port and data (the outage tests)."""

    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="telethread-pg-")))
    _bin: Path = field(default_factory=server_programs)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_of(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        self.resume()

    def resume(self) -> None:
        """Start the server (again): `pg_ctl start` forgets the options, so they go every time."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
            " -c fsync=off -c full_page_writes=off -c max_connections=300"
        )
        # -l: the server's output goes to a file. A pipe would be inherited by the server, and
        # whoever reads it would wait for the server to end.
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-t", "30",
            "-o", options, "start",
        )  # fmt: skip

    def halt(self) -> None:
        """Stop the server at once (connections cut, as when its host dies)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.halt()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self._bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(
            command, cwd=self.folder, capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode:
            log = self.folder / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr or done.stdout}{tail}")
