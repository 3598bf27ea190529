"""The bot's processes for one benchmark scenario — one, or several on PostgreSQL behind a
round-robin proxy taking webhooks — and what is done to them mid-run: a rolling restart (each
process replaced by a new one, started first), a SIGKILL, or a stall past the lease (SIGSTOP,
as a frozen host)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Protocol

from tests.servers.round_robin import RoundRobinProxy

WARMUP_SECONDS = 8.0  # the load runs this long before the disruption
SECRET = "bench-webhook-secret-7f3a9c2e"
Process = asyncio.subprocess.Process


class FleetScenario(Protocol):
    name: str
    processes: int
    webhook: bool
    disrupt: str | None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Fleet:
    def __init__(self, scenario: FleetScenario, env: dict[str, str], workdir: Path) -> None:
        self._scenario = scenario
        self._env = env
        self._workdir = workdir
        self.processes: list[Process] = []
        self._logs: dict[int, Path] = {}
        self._gone_cpu = 0.0
        self._peak = 0.0
        self._cpu_at_start: dict[int, float] = {}  # pid → CPU used before the load (start-up)
        self._expected_exits: dict[int, int] = {}  # pid → the exit code its disruption causes
        self._ports = [free_port() for _ in range(2 * max(1, scenario.processes))]
        self._proxy: RoundRobinProxy | None = None
        # BENCH_KEEP_LOGS=DIR keeps the processes' logs there (the work folder goes at the end).
        self._logs_folder = Path(os.environ.get("BENCH_KEEP_LOGS") or workdir)
        self._logs_folder.mkdir(parents=True, exist_ok=True)

    async def start_proxy(self) -> None:
        self._proxy = RoundRobinProxy(self._ports)
        await self._proxy.start()

    async def start(self) -> Process:
        n = len(self.processes)
        env = dict(self._env)
        if len(self.processes) or self._scenario.processes > 1 or self._scenario.disrupt:
            env["LOG_LEVEL"] = "INFO"  # "Telethread started" tells when a process is up
        if self._proxy is not None:
            env |= {
                "WEBHOOK_URL": self._proxy.url("/telegram"),
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": f"127.0.0.1:{self._ports[n]}",
            }
        log = self._logs_folder / f"{_slug(self._scenario.name)}-{n}.log"
        with log.open("wb") as output:  # a file, not a pipe: a pipe nobody reads fills
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=self._workdir, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=output,
            )  # fmt: skip
        self.processes.append(process)
        self._logs[process.pid] = log
        return process

    async def started(self, process: Process, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while "Telethread started" not in self._logs[process.pid].read_text(errors="replace"):
            if time.monotonic() > deadline or process.returncode is not None:
                raise RuntimeError(f"process {process.pid} did not start")
            await asyncio.sleep(0.05)

    async def disrupt(self, at: list[float]) -> None:
        """Do the scenario's disruption after the warm-up; `at` gets its moment."""
        kind = self._scenario.disrupt
        if kind is None:
            return
        await asyncio.sleep(WARMUP_SECONDS)
        at.append(time.monotonic())
        if kind == "kill":
            victim = self.processes[0]
            self._spent(victim)
            victim.kill()
            self._expected_exits[victim.pid] = -signal.SIGKILL
            await victim.wait()
        elif kind == "stall":
            victim = self.processes[0]
            victim.send_signal(signal.SIGSTOP)
            self._expected_exits[victim.pid] = 3  # it finds its leases gone when it wakes
            await asyncio.sleep(float(self._env.get("LEASE_SECONDS", "10")) + 3)
            victim.send_signal(signal.SIGCONT)
        elif kind == "rolling":
            for old in list(self.processes):
                new = await self.start()
                await self.started(new)
                self._spent(old)
                old.send_signal(signal.SIGTERM)
                self._expected_exits[old.pid] = 0
                await old.wait()

    def ready(self) -> None:
        """The load starts now: CPU spent so far (starting up) is not the load's."""
        for process in self.processes:
            self._cpu_at_start[process.pid] = _cost(process.pid)[0]

    def _spent(self, process: Process) -> None:
        cpu, peak = _cost(process.pid)
        self._gone_cpu += cpu - self._cpu_at_start.get(process.pid, cpu)
        self._peak = max(self._peak, peak)

    def cost(self) -> tuple[float, float]:
        """CPU seconds the bot's processes spent on the load (a process started during it
        counts from its start), and the highest peak RSS of one (MB)."""
        cpu, peak = self._gone_cpu, self._peak
        for process in self.processes:
            if process.returncode is None:
                used, most = _cost(process.pid)
                cpu += used - self._cpu_at_start.get(process.pid, 0.0)
                peak = max(peak, most)
        return cpu, peak

    async def stop(self) -> list[str]:
        """Stop what still runs; notes for any process that exited other than expected."""
        notes = []
        for process in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            await asyncio.wait_for(process.wait(), 60)
            expected = self._expected_exits.get(process.pid, 0)
            if process.returncode != expected:
                notes.append(
                    f"process {process.pid} exited {process.returncode}; its log: "
                    f"{self._logs[process.pid]}"
                )
        if self._proxy is not None:
            await self._proxy.stop()
        return notes


def process_cost(pid: int) -> tuple[float, float]:
    """CPU seconds used and peak resident memory (MB) of a Linux process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak_kb = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    return cpu, peak_kb / 1024


def _cost(pid: int) -> tuple[float, float]:
    try:
        return process_cost(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0, 0.0


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
