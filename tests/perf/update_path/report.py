"""What the update-path benchmark prints: one JSON line per figure, then tables and targets."""

from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from tests.perf.update_path.load import Phase


@dataclass
class FlowRun:
    bot: str  # BotSpec.key
    label: str  # e.g. "this bot: quick form + Save"
    rtt_ms: float
    saturation: Phase
    offered: list[Phase] = field(default_factory=list)


@dataclass
class BotRun:
    bot: str
    label: str
    first_answer_s: float = float("nan")
    peak_rss_mb: float = float("nan")
    flows: list[FlowRun] = field(default_factory=list)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 3)


def figure(bot: str, flow: str | None, rtt_ms: float | None, name: str, value: float,
           unit: str, **extra: object) -> None:
    line: dict[str, object] = {"bot": bot}
    if flow is not None:
        line["flow"] = flow
    if rtt_ms is not None:
        line["rtt_ms"] = rtt_ms
    line |= {"figure": name, "value": _number(value), "unit": unit, **extra}
    print(json.dumps(line, ensure_ascii=False), flush=True)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def machine(when: str) -> None:
    """The machine and how busy it is (other work on a shared machine moves every figure)."""
    print(json.dumps({
        "figure": f"machine_{when}", "nproc": os.cpu_count(), "cpu": _cpu_model(),
        "ram_gib": round(_ram_gib(), 1), "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "versions": {p: _version(p) for p in ("python-telegram-bot", "aiogram", "httpx",
                                              "aiosqlite", "aiohttp")},
    }), flush=True)


def emit_flow(run: FlowRun, flow: str) -> None:
    sat = run.saturation
    figure(run.bot, flow, run.rtt_ms, "saturation_updates_per_s", sat.rate, "updates/s",
           errors=sat.errors)
    figure(run.bot, flow, run.rtt_ms, "cpu_ms_per_update", sat.cpu_ms_per_update, "ms",
           bot_cpu_s=round(sat.bot_cpu_s, 2), updates=sat.handled,
           kernel_share=round(sat.bot_system_s / sat.bot_cpu_s, 2) if sat.bot_cpu_s else None,
           bench_cpu_ms_per_update=round(1000 * sat.own_cpu_s / max(1, sat.handled), 3))
    figure(run.bot, flow, run.rtt_ms, "saturation_p50_ms", sat.percentile(0.5), "ms")
    figure(run.bot, flow, run.rtt_ms, "saturation_p99_ms", sat.percentile(0.99), "ms")
    handled = max(1, sat.handled)
    figure(run.bot, flow, run.rtt_ms, "api_calls_per_update", float(sum(sat.calls.values()))
           / handled, "calls", by_method={k: round(v / handled, 3)
                                          for k, v in sorted(sat.calls.items())})
    for phase in run.offered:
        offered = f"{phase.offered:g}"
        figure(run.bot, flow, run.rtt_ms, f"p50_ms_at_{offered}_per_s", phase.percentile(0.5),
               "ms")
        figure(run.bot, flow, run.rtt_ms, f"p99_ms_at_{offered}_per_s",
               phase.percentile(0.99), "ms", answered_per_s=round(phase.rate, 1),
               errors=phase.errors, cpu_ms_per_update=_number(phase.cpu_ms_per_update),
               dropped=phase.dropped, lower_bound=phase.dropped > 0)


def emit_process(run: BotRun) -> None:
    figure(run.bot, None, None, "first_answer_s", run.first_answer_s, "s")
    figure(run.bot, None, None, "peak_rss_mb", run.peak_rss_mb, "MB")


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:,.0f}"


def _latencies(phase: Phase) -> str:
    """"p50 / p99"; "≥" when the bot fell so far behind that arrivals were never sent."""
    at_least = "≥ " if phase.dropped else ""
    return (f"{at_least}{_ms(phase.percentile(0.5))} / "
            f"{at_least}{_ms(phase.percentile(0.99))}")


def tables(runs: list[BotRun], rates: list[float]) -> str:
    rate_heads = " | ".join(f"p50 / p99 ms at {r:g}/s" for r in rates)
    lines = [f"| bot, flow | RTT ms | updates/s at saturation | CPU ms per update | "
             f"{rate_heads} | errors |",
             "|---|---:|---:|---:|" + "---:|" * len(rates) + "---:|"]
    for bot in runs:
        for flow in bot.flows:
            sat = flow.saturation
            cells = [_latencies(p) for p in flow.offered]
            cells += ["–"] * (len(rates) - len(cells))
            errors = sat.errors + sum(p.errors for p in flow.offered)
            lines.append(f"| {flow.label} | {flow.rtt_ms:g} | {sat.rate:,.0f} | "
                         f"{sat.cpu_ms_per_update:.2f} | {' | '.join(cells)} | {errors} |")
    if any(p.dropped for bot in runs for flow in bot.flows for p in flow.offered):
        lines += ["", "≥: the bot fell behind the offered rate; arrivals still waiting for a "
                      "free member at the end of the phase were not sent, their age counted."]
    lines += ["", "| bot | peak RSS | first answer after start |", "|---|---:|---:|"]
    for bot in runs:
        lines.append(f"| {bot.label} | {bot.peak_rss_mb:.0f} MB | {bot.first_answer_s:.2f} s |")
    return "\n".join(lines)


def _flow(runs: list[BotRun], bot: str, rtt_ms: float, label_part: str = "") -> FlowRun | None:
    for run in runs:
        if run.bot != bot:
            continue
        for flow in run.flows:
            if flow.rtt_ms == rtt_ms and label_part in flow.label:
                return flow
    return None


def targets(runs: list[BotRun]) -> str:
    """The update path's speed targets, each against this run's own figures."""
    ours = next((r for r in runs if r.bot == "this-bot"), None)
    if ours is None:
        return ""
    rows: list[tuple[str, str, str, bool | None]] = []
    quick0 = _flow(runs, "this-bot", 0, "quick")
    ptb0 = _flow(runs, "ptb-echo", 0)
    if quick0 and ptb0:
        for flow in (f for f in ours.flows if f.rtt_ms == 0):
            ratio = flow.saturation.cpu_ms_per_update / ptb0.saturation.cpu_ms_per_update
            rows.append((f"CPU per update, {flow.label}", "≤ 1.0× PTB echo",
                         f"{ratio:.2f}×", ratio <= 1.0))
    if quick0:
        rate = quick0.saturation.rate
        rows.append(("saturation at 0 ms, quick form + Save", "≥ 550 updates/s",
                     f"{rate:,.0f}", rate >= 550))
    quick50, aiogram50 = _flow(runs, "this-bot", 50, "quick"), _flow(runs, "aiogram-echo", 50)
    if quick50 and aiogram50:
        ratio = quick50.saturation.rate / aiogram50.saturation.rate
        rows.append(("saturation at 50 ms, quick form + Save", "≥ 0.8× aiogram echo",
                     f"{ratio:.2f}×", ratio >= 0.8))
    for flow in (f for f in ours.flows if f.rtt_ms == 50):
        at200 = next((p for p in flow.offered if p.offered == 200), None)
        if at200 is not None:
            p99 = at200.percentile(0.99)
            rows.append((f"p99 at 200/s and 50 ms, {flow.label}", "≤ 180 ms", f"{p99:,.0f} ms",
                         p99 <= 180))
    rows.append(("peak RSS", "≤ 150 MB", f"{ours.peak_rss_mb:.0f} MB", ours.peak_rss_mb <= 150))
    rows.append(("first answer after start", "≤ 2 s", f"{ours.first_answer_s:.2f} s",
                 ours.first_answer_s <= 2))
    lines = ["| target (issue 11) | wanted | this run | met |", "|---|---|---:|---|"]
    for name, wanted, measured, met in rows:
        lines.append(f"| {name} | {wanted} | {measured} | {'yes' if met else 'no'} |")
    return "\n".join(lines)
