"""The bots under test as separate processes, so their own CPU time and memory can be read.

CPU time is utime + stime of ``/proc/<pid>/stat`` (every thread, the aiosqlite workers
included); peak memory is ``VmHWM`` of ``/proc/<pid>/status``. Linux only, as is the bench
machine. A child is told to die with the benchmark (``PR_SET_PDEATHSIG``), runs in a session of
its own (a Ctrl+C reaches the benchmark, which then stops it), and is stopped with SIGTERM, then
SIGKILL after a grace time: no orphan outlives a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
#: Well-formed, so the bot leaves sandbox mode; only the benchmark's server ever sees it.
FAKE_TOKEN = "7000000099:bench-token-not-a-real-one-x"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class BotSpec:
    key: str
    label: str
    module: str
    env: dict[str, str] = field(default_factory=dict)


def this_bot(database: Path) -> BotSpec:
    return BotSpec("this-bot", "this bot", "bot", {
        "DATABASE_PATH": str(database),
        # Telegram's limiter stays on (as in production) at its highest setting, so that the
        # figures show the bot's own cost rather than the 30 messages/s budget.
        "SEND_RATE_PER_SECOND": "1000",
        "TELEGRAM_SENDS_PER_SECOND": "1000",
        # A simulated member answers in microseconds, hundreds of times a minute: the flood
        # limit meant for people would slow them down and hide the bot's cost.
        "FLOOD_PER_MINUTE": "10000",
        "FLOOD_BURST": "10000",
        "ZALO_BOT_TOKEN": "",
        "ADMIN_TELEGRAM_IDS": "",
    })


PTB_ECHO = BotSpec("ptb-echo", "python-telegram-bot echo (concurrent_updates=32)",
                   "tests.perf.update_path.echo_ptb")
AIOGRAM_ECHO = BotSpec("aiogram-echo", "aiogram 3 echo", "tests.perf.update_path.echo_aiogram")


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class BotProcess:
    def __init__(self, spec: BotSpec, api_url: str, log_path: Path) -> None:
        self.spec = spec
        self.api_url = api_url
        self.log_path = log_path
        self.started_at = 0.0
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, **self.spec.env,
               "TELEGRAM_BOT_TOKEN": FAKE_TOKEN,
               "TELEGRAM_API_BASE_URL": f"{self.api_url}/bot",
               "BENCH_API_URL": self.api_url,
               "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO),
                                                           os.environ.get("PYTHONPATH"))))}
        argv = [sys.executable, "-m", self.spec.module]
        if self.spec.module == "bot":
            argv.append("run")
        with open(self.log_path, "wb") as log:
            self.started_at = time.perf_counter()
            self._proc = subprocess.Popen(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True, preexec_fn=_die_with_parent)

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def cpu_times(self) -> tuple[float, float]:
        """(user, system) CPU seconds of the whole process so far, every thread included."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2:].split()
        return int(fields[11]) / _CLOCK_TICKS, int(fields[12]) / _CLOCK_TICKS

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self, grace_s: float = 10.0) -> int | None:
        """SIGTERM, then SIGKILL after ``grace_s``; the exit code (None if it had to be killed).

        Waits without blocking the event loop: the bot's last calls (a final getUpdates to
        confirm the offset) need the benchmark's server to answer them.
        """
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                return await asyncio.to_thread(proc.wait, grace_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                return None
        return proc.returncode
