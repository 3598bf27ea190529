"""Starts the tests' real MCP server (tests/servers/mcp_tools.py) in a process of its own."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class McpServerProcess:
    """The house server on 127.0.0.1 (streamable HTTP at `url`, guarded by `token`), and its
    journal of the calls it ran."""

    journal: Path
    token: str = "house-secret-0b9f2c"
    url: str = ""
    extra: tuple[str, ...] = ()  # more options for the server (e.g. "--json")
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _socket: socket.socket | None = field(default=None, repr=False)

    def start(self) -> None:
        # Bound and listening before the server starts: connections wait in the backlog, so
        # nobody needs to poll for the port.
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self._socket = listener
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}/mcp"
        self._process = subprocess.Popen(
            [*self.command(), "--fd", str(listener.fileno()), "--token", self.token, *self.extra],
            pass_fds=[listener.fileno()],
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )

    def command(self) -> list[str]:
        """The command that starts it (a bot starts it this way over stdio: add `--stdio`)."""
        return [sys.executable, "-m", "tests.servers.mcp_tools", "--journal", str(self.journal)]

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
        if self._socket is not None:
            self._socket.close()

    def calls(self, tool: str | None = None, stage: str = "start") -> list[dict[str, Any]]:
        """The calls the server began (or, with stage "end", finished), oldest first."""
        if not self.journal.exists():
            return []
        lines = self.journal.read_text(encoding="utf-8").splitlines()
        found = [json.loads(line) for line in lines if line.strip()]
        return [c for c in found if c["stage"] == stage and tool in (None, c["tool"])]

    async def started(self, tool: str, within: float = 10.0) -> None:
        """Wait until the server began a call of `tool` (its journal is another process's
        file: read again every 20 ms)."""
        deadline = time.monotonic() + within
        while not self.calls(tool):
            if time.monotonic() > deadline:
                raise AssertionError(f"the server never began {tool}")
            await asyncio.sleep(0.02)

    def requests(self) -> list[tuple[float, float]]:
        """(arrived, answered in full) of each HTTP request, on the monotonic clock."""
        return [(c["received"], c["sent"]) for c in self.calls(None, "http")]
