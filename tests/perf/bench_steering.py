"""Steering figures on the demo province: prints figures, asserts nothing (not a timed test).

    python -m tests.perf.bench_steering [--weeks 8]

On the demo province (525 teams, 3,740 members) with ``--weeks`` weeks of demo activity, times
what steering reads (storage/repos/activity.py and tallies.py, over the roll-ups since issue
12): completeness of the whole province for a month, target progress
for every commune, a month's days on duty for everyone (the allowance sheet), the whole
province's workbook with its allowance sheet, and a week's reminder plan.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.app.demo import prepare_demo
from bot.app.services import make_services
from bot.config import load_settings
from bot.core.allowance import AllowanceRule
from bot.core.calendar import month
from bot.core.completeness import by_commune
from bot.core.permissions import Scope
from bot.core.targets import TargetPeriod
from handlers.steering import export
from handlers.steering.figures import children_progress
from handlers.steering.weekly import enqueue_reminders
from storage.db import Database
from storage.repos import Repos
from tests.perf.bench_figures import Recorder, ctx_for


async def _timed(label: str, call: Callable[[], Awaitable[Any]], runs: int = 3) -> Any:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = await call()
        best = min(best, time.perf_counter() - started)
    print(f"{label}: {best * 1000:.0f} ms (best of {runs})")
    return result


async def main(weeks: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        async with Database(path) as db:
            settings = load_settings(DATABASE_PATH=str(path))
            services = make_services(settings, db, lambda: now)
            await prepare_demo(services)
            from bot.app.demo_activity import seed_demo_activity

            offered = await seed_demo_activity(services, weeks=weeks)
            print(f"demo province with {offered:,} sessions over {weeks} weeks")
            read = services.read
            province = Scope("92")
            nov = month(2026, 11)
            teams = await _timed("completeness, province, a month (525 teams)",
                                 lambda: read.activity.team_activity(province, nov.start,
                                                                     nov.end))
            print(f"  … {len(by_commune(teams, date(2026, 11, 23)))} communes")
            async with db.write() as conn:
                for commune in await Repos(conn).geo.communes_with_teams("92"):
                    await Repos(conn).targets.set(
                        scope_kind="commune", scope_id=commune.code, category_id=None,
                        period=TargetPeriod(nov.start, "month"), citizens=1000, by=None,
                        now=now)
                await Repos(conn).allowance.add(
                    from_month=nov.start, rule=AllowanceRule(per_member=60_000,
                                                             per_day=150_000), by=None, now=now)
            await _timed("target progress of all 28 communes",
                         lambda: children_progress(services, province, "vi", date(2026, 11, 22),
                                                   date(2026, 11, 23)))
            rows = await _timed("days on duty, province, a month (3,740 members)",
                                lambda: read.activity.duty_month(province, nov.start, nov.end))
            print(f"  … {len(rows):,} rows")
            october = month(2026, 10)
            ctx = await ctx_for(services, "province_coordinator", channel=Recorder())

            async def workbook() -> bytes:
                await export._produce(ctx, "x", october, province, "bench")
                document = ctx.channel.sent[-1].document  # type: ignore[attr-defined]
                assert document is not None
                return bytes(document.content)

            content = await _timed("whole-province workbook for October, allowance included",
                                   workbook, runs=1)
            print(f"  … {len(content) / 1024:.0f} KiB")
            friday = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
            await _timed("the week's reminder plan, enqueued", lambda: enqueue_reminders(
                services, friday, friday), runs=1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weeks", type=int, default=8)
    asyncio.run(main(parser.parse_args().weeks))
