"""What the plausibility check adds to Save, on a province with years of sessions.

    python -m tests.perf.bench_plausibility [--sessions 2000000] [--keep data/bench-plaus]

Generates (once, with ``--keep``) a province's database with ``--sessions`` sessions over three
years (``python -m bot generate``), then, for members picked at random, times inside one write
transaction each — as Save runs them — (a) the rule reads and the pure rules
(``handlers.logging.plausibility.hits_for``'s work: the stored rules, the member's day from the
roll-up, the same session that day, the latest sessions as logged, the pause) and (b) the
session's own INSERT with its roll-up triggers, for comparison. Prints p50/p99 in
microseconds; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.core.plausibility import Candidate, evaluate, from_rows, recent_needed
from storage.db import Database
from storage.repos import Repos

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def _generate(path: Path, sessions: int) -> None:
    from bot.app.generate import generate_database

    last = NOW.date() - timedelta(days=1)
    generate_database(path, registry=None, sessions=sessions,
                      first_day=last - timedelta(days=3 * 365), last_day=last, now=NOW,
                      progress=False)


async def _measure(path: Path, rounds: int) -> tuple[list[float], list[float]]:
    checks: list[float] = []
    inserts: list[float] = []
    rng = random.Random(11)
    async with Database(path) as db:
        members = [int(r[0]) for r in await db.reader.execute_fetchall(
            "SELECT id FROM members WHERE team_id IS NOT NULL")]
        for n in range(rounds):
            member = rng.choice(members)
            day = NOW.date() - timedelta(days=rng.randrange(0, 30))
            async with db.write() as conn:
                repos = Repos(conn)
                start = time.perf_counter()
                rules = from_rows(await repos.plausibility.rule_rows())
                history, _ = await repos.plausibility.history(
                    member_id=member, day=day, category_id=1, citizens=3,
                    recent=recent_needed(rules))
                evaluate(rules, Candidate(1, 3, day), history, NOW)
                middle = time.perf_counter()
                team = await conn.execute_fetchall(
                    "SELECT m.team_id, t.commune_code FROM members m JOIN teams t"
                    " ON t.id = m.team_id WHERE m.id = ?", (member,))
                before_insert = time.perf_counter()
                await repos.sessions.add(
                    member_id=member, team_id=team[0][0], commune_code=team[0][1],
                    category_id=1, citizens=3, session_date=day, note=None, photo_ref=None,
                    channel="telegram", idempotency_key=f"bench-plaus:{n}:{time.time_ns()}",
                    now=NOW)
                end = time.perf_counter()
            checks.append((middle - start) * 1e6)
            inserts.append((end - before_insert) * 1e6)
    return checks, inserts


def _line(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{name:<44} p50 {statistics.median(values):8.0f} µs   p99 {p99:8.0f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--sessions", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder to keep the generated database in (reused if there)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-plaus-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"plausibility-{args.sessions}.sqlite3"
    if not path.exists():
        started = time.perf_counter()
        _generate(path, args.sessions)
        print(f"generated {path} in {time.perf_counter() - started:.0f} s")
    checks, inserts = asyncio.run(_measure(path, args.rounds))
    print(f"{args.sessions:,} sessions, {args.rounds} saves, {date.today()}")
    print(_line("plausibility reads + rules (added to Save)", checks))
    print(_line("the session's INSERT with its roll-ups", inserts))


if __name__ == "__main__":
    main()
