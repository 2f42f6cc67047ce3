"""The two ways of loading a bot: a closed loop (saturation) and open-loop arrivals at a rate.

Closed loop: every member sends an update, waits for the answer, sends the next one; the bot is
as busy as it can be, and updates answered per second is its saturation rate. Open loop: updates
arrive at an offered rate (Poisson arrivals, fixed seed), whether or not the bot keeps up; each
is given to a member who is not waiting for an answer, and its latency runs from its scheduled
arrival (so an arrival that had to wait for a free member, because the bot fell behind, counts
that wait too: no coordinated omission). Every arrival of the window counts, answered in the
window or after it. An overloaded bot leaves arrivals that never found a free member by the end
of the window: they are not sent (the next phase must start clean), their age then counts as
their latency, and the phase's percentiles are lower bounds (``dropped`` > 0).

Each phase reads the bot process's CPU time at the start and the end of its window, and the
benchmark's own CPU time, to show it is not the bottleneck.
"""

from __future__ import annotations

import asyncio
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.perf.update_path.members import Member
from tests.perf.update_path.processes import BotProcess
from tests.perf.update_path.server import FakeBotApi

DRAIN_TIMEOUT_S = 60.0


@dataclass
class Phase:
    kind: str  # "saturation" | "offered"
    offered: float | None  # updates/s for an open loop
    seconds: float
    handled: int = 0  # answers in the window
    dropped: int = 0  # open loop: arrivals never sent, the bot being too far behind
    errors: int = 0  # wrong answers and time-outs in the window
    latencies: list[float] = field(default_factory=list)
    bot_cpu_s: float = 0.0
    bot_system_s: float = 0.0  # of which in the kernel (socket calls, thread wake-ups)
    own_cpu_s: float = 0.0
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.handled / self.seconds

    @property
    def cpu_ms_per_update(self) -> float:
        return 1000 * self.bot_cpu_s / self.handled if self.handled else float("nan")

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Window:
    """What happens between ``open`` and ``close``: CPU times and the server's calls."""

    def __init__(self, phase: Phase, api: FakeBotApi, bot: BotProcess) -> None:
        self.phase, self.api, self.bot = phase, api, bot

    def open(self) -> float:
        self._cpu, self._own = self.bot.cpu_times(), _own_cpu()
        self._calls = Counter(self.api.calls)
        self.start = time.perf_counter()
        self.end = self.start + self.phase.seconds
        return self.start

    def close(self) -> None:
        user, system = self.bot.cpu_times()
        self.phase.bot_cpu_s = user + system - sum(self._cpu)
        self.phase.bot_system_s = system - self._cpu[1]
        self.phase.own_cpu_s = _own_cpu() - self._own
        self.phase.calls = Counter(self.api.calls) - self._calls

    def record(self, started: float, answered_at: float | None, ok: bool, *,
               late_too: bool = False) -> None:
        """One answer; ``late_too``: its latency counts even if it came after the window."""
        if answered_at is None:  # a time-out: an error if it was due within the window
            if started <= self.end:
                self.phase.errors += 1
            return
        in_window = answered_at <= self.end
        if in_window:
            self.phase.handled += 1
        if not ok:
            self.phase.errors += in_window
        elif in_window or late_too:
            self.phase.latencies.append(answered_at - started)


async def _closing_at(window: _Window) -> None:
    await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    window.close()


async def closed_loop(api: FakeBotApi, bot: BotProcess, members: list[Member],
                      seconds: float) -> Phase:
    phase = Phase("saturation", None, seconds)
    window = _Window(phase, api, bot)
    window.open()
    closer = asyncio.create_task(_closing_at(window))

    async def run(member: Member) -> None:
        while time.perf_counter() < window.end:
            started = time.perf_counter()
            outcome = await member.act(api)
            window.record(started, outcome.answered_at, outcome.ok)

    # Each member finishes the step it is in after the window closes: nothing left in flight.
    await asyncio.wait_for(asyncio.gather(*(run(m) for m in members)),
                           seconds + DRAIN_TIMEOUT_S)
    await closer
    return phase


async def open_loop(api: FakeBotApi, bot: BotProcess, members: list[Member], rate: float,
                    seconds: float, seed: int = 11) -> Phase:
    phase = Phase("offered", rate, seconds)
    window = _Window(phase, api, bot)
    free: asyncio.Queue[Member] = asyncio.Queue()
    for member in members:
        free.put_nowait(member)
    arrivals = random.Random(seed)
    tasks: list[asyncio.Task[None]] = []
    unsent: set[asyncio.Task[None]] = set()

    async def serve(arrival: float) -> None:
        task = asyncio.current_task()
        assert task is not None
        unsent.add(task)
        try:
            member = await free.get()
        except asyncio.CancelledError:
            phase.dropped += 1
            phase.latencies.append(time.perf_counter() - arrival)  # at least this
            return
        finally:
            unsent.discard(task)
        try:
            outcome = await member.act(api)
            window.record(arrival, outcome.answered_at, outcome.ok, late_too=True)
        finally:
            free.put_nowait(member)

    due = window.open()
    closer = asyncio.create_task(_closing_at(window))
    while True:
        due += arrivals.expovariate(rate)
        if due >= window.end:
            break
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(serve(due)))
    await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    for task in list(unsent):
        task.cancel()
    # What was sent is answered (or times out) before the next phase starts.
    await asyncio.wait_for(asyncio.gather(*tasks), DRAIN_TIMEOUT_S)
    await closer
    return phase
