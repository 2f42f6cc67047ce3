"""The update path's speed: this bot beside bare echo bots, each a process of its own, against one
cheap loopback Bot API server. Prints figures, asserts nothing (not a timed test).

    python -m tests.perf.bench_update_path [--quick] [--members 100] [--seconds 8]
        [--rtt-ms 0,50] [--rates 50,200] [--bots this-bot,ptb-echo,aiogram-echo] [--profile]

(``make bench``; the echo references need the ``bench`` extra: ``pip install -e ".[bench]"``.)

For each bot: the process starts with one member's update already waiting (time to the first
answer), then at each round trip, for each flow: a short warm-up, a closed loop of ``--members``
members (updates/s at saturation, CPU ms per update from the process's own CPU time), and open
loops at each offered rate (p50/p99 latency). This bot runs its full logging flow twice: the
quick form + Save ("3 chu ky so", then Save) and the guided four taps (the 📝 button, category,
count, today, Save), by members of the demo province; the echo bots answer a text with itself.

``--profile``: the bots' saturation phases at the first round trip only, each under py-spy
(attached, non-blocking), then the top functions and the CPU by library.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.perf.update_path import database, profile
from tests.perf.update_path.load import Phase, closed_loop, open_loop
from tests.perf.update_path.members import ECHO, GUIDED, QUICK, Member, Script
from tests.perf.update_path.processes import AIOGRAM_ECHO, PTB_ECHO, BotProcess, BotSpec, this_bot
from tests.perf.update_path.report import (
    BotRun,
    FlowRun,
    emit_flow,
    emit_process,
    machine,
    tables,
    targets,
)
from tests.perf.update_path.server import FakeBotApi

BOTS = ("this-bot", "ptb-echo", "aiogram-echo")
FIRST_ANSWER_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Options:
    members: int
    seconds: float
    warmup: float
    rtts_ms: list[float]
    rates: list[float]
    bots: list[str]
    profile: bool
    gil: bool
    out: Path


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.bench_update_path",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true",
                        help="a short run: 30 members, 3 s phases (about a minute and a half)")
    parser.add_argument("--members", type=int, help="members in the closed loop (default 100)")
    parser.add_argument("--seconds", type=float, help="length of each phase (default 8)")
    parser.add_argument("--rtt-ms", default="0,50", help="round trips to run at (default 0,50)")
    parser.add_argument("--rates", default="50,200",
                        help="offered updates/s for the latency figures (default 50,200)")
    parser.add_argument("--bots", default=",".join(BOTS), help=f"any of {', '.join(BOTS)}")
    parser.add_argument("--profile", action="store_true",
                        help="profile the saturation phases under py-spy instead")
    parser.add_argument("--gil", action="store_true",
                        help="with --profile: sample only the thread holding the GIL (Python "
                             "work alone, not threads waiting for a core or for the GIL)")
    parser.add_argument("--out", type=Path,
                        help="folder for the bots' logs and profiles (default: a temp folder)")
    args = parser.parse_args(argv)
    bots = [b.strip() for b in args.bots.split(",") if b.strip()]
    unknown = sorted(set(bots) - set(BOTS))
    if unknown:
        parser.error(f"unknown bot(s) {', '.join(unknown)}; expected any of {', '.join(BOTS)}")
    rtts = _floats(args.rtt_ms)
    return Options(
        members=args.members or (30 if args.quick else 100),
        seconds=args.seconds or (3.0 if args.quick else 8.0),
        warmup=1.0 if args.quick else 2.0,
        rtts_ms=rtts[:1] if args.profile else rtts,
        rates=[] if args.profile else _floats(args.rates),
        bots=bots, profile=args.profile, gil=args.gil,
        out=args.out or Path(tempfile.mkdtemp(prefix="bench-update-path-")),
    )


def _spec(key: str, template: Path, out: Path) -> BotSpec:
    if key == "this-bot":
        copy = out / "this-bot.sqlite3"
        shutil.copy(template, copy)
        return this_bot(copy)
    return PTB_ECHO if key == "ptb-echo" else AIOGRAM_ECHO


def _flows(key: str, user_ids: list[int], members: int) -> list[tuple[Script, list[Member]]]:
    if key == "this-bot":
        return [(QUICK, [Member(u, QUICK) for u in user_ids[:members]]),
                (GUIDED, [Member(u, GUIDED) for u in user_ids[members:2 * members]])]
    return [(ECHO, [Member(u, ECHO) for u in user_ids[:members]])]


async def run_bot(key: str, options: Options, template: Path, user_ids: list[int]) -> BotRun:
    spec = _spec(key, template, options.out)
    flows = _flows(key, user_ids, options.members)
    api = FakeBotApi()
    await api.start()
    bot = BotProcess(spec, api.url, options.out / f"{key}.log")
    result = BotRun(key, spec.label)
    print(f"# {spec.label}: starting (log: {bot.log_path})", file=sys.stderr, flush=True)
    try:
        first = flows[0][1][0]
        waiting = first.send_next(api)  # already waiting when the process starts
        bot.start()
        outcome = await first.settle(api, waiting, FIRST_ANSWER_TIMEOUT_S)
        if outcome.answered_at is None or not outcome.ok:
            raise RuntimeError(f"{spec.label} gave no proper first answer in "
                               f"{FIRST_ANSWER_TIMEOUT_S:.0f} s; its log ends:\n{bot.tail()}")
        result.first_answer_s = outcome.answered_at - bot.started_at
        for index, rtt_ms in enumerate(options.rtts_ms):
            api.rtt = rtt_ms / 1000
            for script, members in flows:
                _still_running(bot)
                label = spec.label if script is ECHO else f"{spec.label}: {script.name}"
                if index == 0:
                    await closed_loop(api, bot, members, options.warmup)
                print(f"# {label}, RTT {rtt_ms:g} ms", file=sys.stderr, flush=True)
                run = FlowRun(key, label, rtt_ms,
                              await _saturation(api, bot, members, options, script))
                for rate in options.rates:
                    run.offered.append(await open_loop(api, bot, members, rate,
                                                       options.seconds))
                emit_flow(run, script.name)
                result.flows.append(run)
        _still_running(bot)
        result.peak_rss_mb = bot.peak_rss_mb()
        emit_process(result)
    finally:
        code = await bot.stop()
        await api.stop()
        if code not in (0, -15):
            print(f"# {spec.label} did not stop cleanly (exit {code})", file=sys.stderr)
        if api.unsolicited:
            print(f"# {spec.label}: {api.unsolicited} answers nobody waited for",
                  file=sys.stderr)
        if not options.profile:
            print(f"# {spec.label}: {api.updates} updates; Bot API calls "
                  f"{json.dumps(dict(api.calls))} over {len(api.peers)} connections",
                  file=sys.stderr)
    return result


def _still_running(bot: BotProcess) -> None:
    if not bot.alive():
        raise RuntimeError(f"{bot.spec.label} died during the run; its log ends:\n{bot.tail()}")


async def _saturation(api: FakeBotApi, bot: BotProcess, members: list[Member],
                      options: Options, script: Script) -> Phase:
    if not options.profile:
        return await closed_loop(api, bot, members, options.seconds)
    view = "-gil" if options.gil else ""
    raw = options.out / f"profile-{bot.spec.key}-{script.name.split()[0]}{view}.txt"
    spy = profile.start_recording(bot.pid, options.seconds, raw, gil=options.gil)
    try:
        phase = await closed_loop(api, bot, members, options.seconds)
        await asyncio.to_thread(spy.wait, 30)
    finally:
        if spy.poll() is None:
            spy.kill()
            spy.wait()
    if not raw.exists():
        error = spy.stderr.read().decode(errors="replace") if spy.stderr else ""
        print(f"# py-spy wrote no profile: {error.strip()}", file=sys.stderr)
    else:
        print(f"\n## Profile{' (GIL holder only)' if options.gil else ''}: {bot.spec.label}, "
              f"{script.name} (saturation, RTT {api.rtt * 1000:g} ms, {phase.rate:,.0f} "
              "updates/s)\n", flush=True)
        print(profile.render(profile.summarise(raw), gil=options.gil), flush=True)
        print(f"\n(raw collapsed stacks: {raw})\n", flush=True)
    return phase


async def main(argv: list[str] | None = None) -> None:
    options = parse_options(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    machine("at_start")
    template = options.out / "demo-province.sqlite3"
    print("# building the demo province database", file=sys.stderr, flush=True)
    user_ids = await database.build(template, 2 * options.members)
    runs = []
    for key in options.bots:
        runs.append(await run_bot(key, options, template, user_ids))
    for leftover in options.out.glob("*.sqlite3*"):
        leftover.unlink()
    machine("at_end")
    if not options.profile:
        print()
        print(tables(runs, options.rates))
        goals = targets(runs)
        if goals:
            print()
            print(goals)
    print(f"\n# {time.perf_counter() - started:.0f} s in all; logs and profiles in "
          f"{options.out}", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
