"""Fairness under a backlog and under a fan-out: prints figures, asserts nothing.

    python -m tests.perf.bench_intake [--quick] [--scenarios backlog,fan-out]
        [--limits off,on] [--backlog 50000] [--backlog-chats 2000] [--fan-out 35000]
        [--seconds 60]

The bot runs as a process of its own (``python -m bot run``) against the update-path
benchmark's loopback Bot API server (``tests/perf/update_path/server.py``), on a copy of the
demo province with members linked to Telegram ids. Rate limits "on": the server answers 429
"retry after 1" to any send or edit beyond Telegram's 30 a second, and the bot runs with its
default send budget (``TELEGRAM_SENDS_PER_SECOND``); "off": neither. Every send or edit the
server saw counts in "busiest second", refused ones included.

- **backlog**: ``--backlog`` updates (the quick form, "N chu ky so") from ``--backlog-chats``
  members are waiting at the server when the bot starts (an outage). Meanwhile, every 0.25 s a
  member outside the backlog (of 20, each waiting for its answer before writing again) sends
  the quick form, from the bot's first getUpdates on: its latency, p50 and p95, is the figure.
  Also: how long the backlog took to drain (or how much of it drained within ``--seconds``),
  the bot's peak RSS, and whether each chat's updates were handled in
  order (from the inbox's handled times). Probes sent before the poller has fetched the whole
  backlog are reported apart (``p95_s_while_fetching``): Telegram hands out the oldest 100
  updates a call, so until then a newcomer's update is behind the backlog at the platform.
  That fetching (``fetch_phase_s``, from the first getUpdates) is split per full batch: in
  all (``batch_ms``), at the server, and the bot's own (from one call's answer to the next
  call: reading, parsing and storing the batch).
- **replay**: the same backlog, stored in the inbox and not handled (what a crash leaves, or
  what the poller has fetched): the same figures, without the fetching.
- **fan-out**: ``--fan-out`` reminders are due in the outbox when the bot starts; members
  outside it send the quick form as above. Figures: their latency, the reminders sent per
  second meanwhile, and the most sends and edits the server saw in any one-second window.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.perf.update_path import database
from tests.perf.update_path.processes import BotProcess, this_bot
from tests.perf.update_path.server import FakeBotApi

PROBE_INTERVAL_S = 0.25
PROBE_TIMEOUT_S = 60.0
TELEGRAM_LIMIT = 30


@dataclass
class Run:
    scenario: str
    limits: bool
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (sent at, latency)
    timeouts: int = 0
    unanswered: list[tuple[float, float]] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _busiest_second(times: list[float]) -> int:
    """The most events in any window of one second (two pointers over sorted times)."""
    ordered = sorted(times)
    best = start = 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def _per_batch(polls: list[tuple[float, float, int]]) -> dict[str, float]:
    """Over the full batches (the backlog): milliseconds a batch in all, at the server, and
    the bot's own (from one call's answer to the next call: reading, parsing, storing)."""
    full = [p for p in polls if p[2] >= 100]
    if len(full) < 2:
        return {}
    gaps = sorted(b[0] - a[1] for a, b in itertools.pairwise(full))
    return {"batch_ms": round((full[-1][1] - full[0][0]) / len(full) * 1000, 2),
            "server_ms_per_batch": round(statistics.mean(p[1] - p[0] for p in full) * 1000, 2),
            "bot_ms_per_batch": round(statistics.mean(gaps) * 1000, 2),
            "bot_ms_per_batch_median": round(gaps[len(gaps) // 2] * 1000, 2)}


def _quiet_hours_elsewhere() -> str:
    """A one-minute quiet window twelve hours from now (the benchmark must not fall in one)."""
    at = datetime.now(UTC) + timedelta(hours=12 + 7)  # local time of Vietnam, +12 h
    end = at + timedelta(minutes=1)
    return f"{at:%H:%M}-{end:%H:%M}"


def _env(limits: bool) -> dict[str, str]:
    return {"QUIET_HOURS": _quiet_hours_elsewhere(), "SEND_RATE_PER_SECOND": "25",
            # on: the bot's default budget (Telegram's 30); off: lifted, as the server's limit
            "TELEGRAM_SENDS_PER_SECOND": "30" if limits else "1000"}


async def _probe(api: FakeBotApi, run: Run, probers: list[int], stop: asyncio.Event) -> None:
    """Members outside the backlog write one after another; each waits for its answer."""
    free = list(probers)
    asked: dict[int, float] = {}

    async def one(user: int) -> None:
        answer = api.expect(user)
        sent = asked[user] = time.perf_counter()
        api.user_message(user, "2 chu ky so")
        try:
            answered_at, _, _ = await asyncio.wait_for(answer, PROBE_TIMEOUT_S)
            run.latencies.append((sent, answered_at - sent))
        except TimeoutError:
            run.timeouts += 1
            api.forget(user)
        del asked[user]
        free.append(user)

    tasks: set[asyncio.Task[None]] = set()
    while not stop.is_set():
        if free:
            task = asyncio.create_task(one(free.pop(0)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.sleep(PROBE_INTERVAL_S)
    # Still waiting at the end: counted with their age so far (a lower bound).
    now = time.perf_counter()
    run.unanswered = [(at, now - at) for at in asked.values()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _pending(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(conn.execute("SELECT count(*) FROM inbox WHERE handled_at IS NULL")
                   .fetchone()[0])


def _out_of_order(db: Path) -> tuple[int, int]:
    """(chats whose handled updates are not a prefix handled in arrival order, chats)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        rows = conn.execute("SELECT chat_id, handled_at FROM inbox WHERE channel = 'telegram'"
                            " AND chat_id != '' ORDER BY chat_id, id"
                            ).fetchall()
    chats: dict[str, list[str | None]] = {}
    for chat, handled in rows:
        chats.setdefault(chat, []).append(handled)
    bad = 0
    for handled in chats.values():
        done = [h for h in handled if h is not None]
        prefix = handled[:len(done)]
        if prefix != done or done != sorted(done):
            bad += 1
    return bad, len(chats)


def _fill_inbox(db: Path, users: list[int], count: int) -> None:
    """What a crash leaves: ``count`` updates received, stored and not handled."""
    from bot.core.chat import Incoming, incoming_to_payload

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = []
    for n in range(count):
        user = users[n % len(users)]
        inc = Incoming(channel="telegram", update_key=f"m:{user}:{n}:0", chat_id=str(user),
                       user_id=str(user), display_name=f"Member {user}", language_code="vi",
                       text=f"{n % 9 + 1} chu ky so")
        rows.append(("telegram", inc.update_key, inc.chat_id,
                     json.dumps(incoming_to_payload(inc), ensure_ascii=False), now))
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO inbox (channel, update_key, chat_id, payload, received_at)"
                         " VALUES (?, ?, ?, ?, ?)", rows)


def _fill_outbox(db: Path, count: int) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = json.dumps({"text": "Nhắc nhở: tuần này bạn chưa ghi nhận buổi hỗ trợ nào."},
                         ensure_ascii=False)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO outbox (dedup_key, channel, chat_id, kind, batch_id, payload,"
            " not_before, created_at, updated_at) VALUES (?, 'telegram', ?, 'reminder',"
            " 'bench', ?, ?, ?, ?)",
            ((f"bench:{n}", str(500_000 + n), payload, now, now, now) for n in range(count)))


async def run_one(scenario: str, limits: bool, base_db: Path, users: list[int],
                  opts: argparse.Namespace, workdir: Path) -> Run:
    run = Run(scenario, limits)
    db = workdir / f"{scenario}-{'on' if limits else 'off'}.sqlite3"
    shutil.copy(base_db, db)
    probers = users[:20]
    backlog_users = users[20:20 + opts.backlog_chats]
    api = FakeBotApi()
    await api.start()
    api.sends_per_second = TELEGRAM_LIMIT if limits else None
    if scenario == "replay":
        _fill_inbox(db, backlog_users, opts.backlog)
    elif scenario == "backlog":
        per_chat: dict[int, int] = {}
        for n in range(opts.backlog):
            user = backlog_users[n % len(backlog_users)]
            per_chat[user] = per_chat.get(user, 0) + 1
            api.user_message(user, f"{per_chat[user] % 9 + 1} chu ky so")
    else:
        _fill_outbox(db, opts.fan_out)
    spec = this_bot(db)
    spec.env.update(_env(limits))
    bot = BotProcess(spec, api.url, workdir / f"{scenario}-{limits}.log")
    stop = asyncio.Event()
    bot.start()
    started = time.perf_counter()
    drained_at = fetched_at = None
    try:
        # Members write once the bot polls (it is up) — not once it first answers: a bot that
        # answered nobody while it fetched a backlog would otherwise never be probed then.
        while not api.calls["getUpdates"]:
            await asyncio.sleep(0.01)
            if not bot.alive() or time.perf_counter() - started > 120:
                raise SystemExit(f"the bot did not start:\n{bot.tail()}")
        polling_at = time.perf_counter()
        run.figures["polling_s"] = round(polling_at - started, 2)
        prober = asyncio.create_task(_probe(api, run, probers, stop))
        checked = polling_at
        while time.perf_counter() - started < opts.seconds:
            fetching = scenario == "backlog" and fetched_at is None
            # The end of the fetching to a few milliseconds; the rest once a second.
            await asyncio.sleep(0.005 if fetching else 1.0)
            # Every backlog update acknowledged (the offset is past it), hence stored.
            if fetching and (not api._pending or api._pending[0]["update_id"] > opts.backlog):
                fetched_at = time.perf_counter()
                run.figures["fetched_all_s"] = round(fetched_at - started, 2)
                run.figures["fetch_phase_s"] = round(fetched_at - polling_at, 2)
            if time.perf_counter() - checked < 1.0:
                continue
            checked = time.perf_counter()
            if not bot.alive():
                raise SystemExit(f"the bot stopped:\n{bot.tail()}")
            if scenario != "fan-out" and not api._pending and _pending(db) == 0:
                drained_at = time.perf_counter() - started
                break
        stop.set()
        await prober
        elapsed = time.perf_counter() - started
        run.figures["peak_rss_mb"] = round(bot.peak_rss_mb(), 1)
    finally:
        stop.set()
        await bot.stop()
        await api.stop()
    run.figures["first_answer_s"] = (round(api.send_log[0] - started, 2) if api.send_log
                                     else None)
    run.figures["seconds"] = round(elapsed, 1)
    run.figures["busiest_second_sends"] = _busiest_second(api.send_log)
    run.figures["refused_429"] = api.refused
    if scenario == "backlog":
        run.figures.update(_per_batch(api.polls))
    if scenario == "backlog" and fetched_at is not None:
        # Until the poller has fetched the backlog, a newcomer's update is behind it at the
        # platform (getUpdates gives the oldest 100): that wait is the fetching's, not ours.
        run.figures["p95_s_while_fetching"] = round(
            _pct([lat for at, lat in run.latencies if at < fetched_at], 0.95), 3)
        run.latencies = [(at, lat) for at, lat in run.latencies if at >= fetched_at]
        run.unanswered = [(at, lat) for at, lat in run.unanswered if at >= fetched_at]
    if scenario != "fan-out":
        left = _pending(db) + len(api._pending)
        run.figures["backlog_handled"] = opts.backlog - left
        run.figures["drained_in_s"] = round(drained_at, 1) if drained_at else None
        bad, chats = _out_of_order(db)
        run.figures["chats_out_of_order"] = f"{bad} of {chats}"
    else:
        with sqlite3.connect(db) as conn:
            sent = conn.execute("SELECT count(*) FROM outbox WHERE batch_id = 'bench'"
                                " AND status = 'sent'").fetchone()[0]
        run.figures["reminders_sent"] = sent
        run.figures["reminders_per_s"] = round(sent / elapsed, 1)
    return run


def _print(run: Run) -> None:
    # Unanswered at the end count with their age (so the percentiles are then lower bounds).
    latencies = [lat for _, lat in run.latencies + run.unanswered]
    line = {"scenario": run.scenario, "limits": "on" if run.limits else "off",
            "probes": len(latencies), "probe_timeouts": run.timeouts,
            "unanswered_at_end": len(run.unanswered),
            "p50_s": round(_pct(latencies, 0.5), 3), "p95_s": round(_pct(latencies, 0.95), 3),
            "max_s": round(max(latencies, default=float("nan")), 3), **run.figures}
    print(json.dumps(line), flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="5,000-update backlog, 5,000 reminders, 20 s runs")
    parser.add_argument("--scenarios", default="replay,backlog,fan-out")
    parser.add_argument("--limits", default="off,on")
    parser.add_argument("--backlog", type=int, default=50_000)
    parser.add_argument("--backlog-chats", type=int, default=2_000)
    parser.add_argument("--fan-out", type=int, default=35_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    opts = parser.parse_args()
    if opts.quick:
        opts.backlog, opts.backlog_chats, opts.fan_out, opts.seconds = 5_000, 500, 5_000, 20.0
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        workdir = Path(tmp)
        base = workdir / "base.sqlite3"
        users = await database.build(base, 20 + opts.backlog_chats)
        for scenario in opts.scenarios.split(","):
            for limits in opts.limits.split(","):
                _print(await run_one(scenario, limits == "on", base, users, opts, workdir))


if __name__ == "__main__":
    asyncio.run(main())
