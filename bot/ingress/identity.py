"""This process, as the leases and the processes table name it: host:pid:random."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identity:
    host: str
    pid: int
    token: str

    @classmethod
    def of_this_process(cls) -> Identity:
        return cls(socket.gethostname(), os.getpid(), secrets.token_hex(3))

    @property
    def id(self) -> str:
        return f"{self.host}:{self.pid}:{self.token}"

    def knows_dead(self, holder: str) -> bool:
        """Whether `holder` is a process of this host that is gone: its pid is not running,
        or is ours (a process before us with our pid: a restarted container). Its leases need
        not be waited for."""
        parts = holder.rsplit(":", 2)
        if len(parts) != 3 or parts[0] != self.host or holder == self.id:
            return False
        try:
            pid = int(parts[1])
        except ValueError:
            return False
        return pid == self.pid or not _running(pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
