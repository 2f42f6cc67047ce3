"""``python -m bot generate``: a database the size of the largest province, for benchmarks.

    python -m bot generate --province 79 --sessions 20000000 --years 3 OUT.sqlite3
    python -m bot generate --demo --sessions 1000000 --years 1 OUT.sqlite3
    python -m bot generate --province 92 --csv registry-35k.csv    # the file only

Without ``--demo``: a registry of ``--teams`` teams and ``--members`` members over every
commune of ``--province`` (written straight to SQLite), with ``--csv`` the same registry as an
importable CSV. With ``--demo``: the demo province, imported the way an admin would. Then
``--sessions`` sessions over the ``--years`` years up to yesterday.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bot.core.registry.large_province import (
    HO_CHI_MINH_CITY,
    MEMBERS,
    TEAMS,
    generate_registry,
    registry_csv,
    session_rows,
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gen = sub.add_parser("generate", help="write a large generated province (benchmarks)")
    gen.add_argument("out", type=Path, nargs="?", help="the SQLite file to create")
    gen.add_argument("--province", default=HO_CHI_MINH_CITY,
                     help="official province code (default 79, Hồ Chí Minh City)")
    gen.add_argument("--demo", action="store_true",
                     help="the demo province (Hậu Giang in Cần Thơ) instead of a generated one")
    gen.add_argument("--teams", type=int, default=TEAMS)
    gen.add_argument("--members", type=int, default=MEMBERS)
    gen.add_argument("--sessions", type=int, default=1_000_000)
    gen.add_argument("--years", type=float, default=3)
    gen.add_argument("--until", type=date.fromisoformat, default=None,
                     help="the last day with sessions (default: yesterday)")
    gen.add_argument("--csv", type=Path, default=None,
                     help="also write the registry as an importable CSV here")
    gen.add_argument("--seed", type=int, default=2026)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    now = datetime.now(UTC)
    registry = None
    if not args.demo:
        registry = generate_registry(args.province, teams=args.teams, members=args.members,
                                     seed=args.seed)
        print(f"registry: {len(registry.communes)} communes, {len(registry.teams):,} teams, "
              f"{len(registry.members):,} members")
        if args.csv is not None:
            args.csv.write_bytes(registry_csv(registry))
            print(f"wrote {args.csv}")
    if args.out is None:
        return 0
    if args.out.exists():
        print(f"{args.out} exists: give a new file")
        return 2
    last = args.until or (now.date() - timedelta(days=1))
    first = last - timedelta(days=max(1, round(365.25 * args.years)) - 1)
    written = generate_database(args.out, registry=registry, sessions=args.sessions,
                                first_day=first, last_day=last, now=now, seed=args.seed)
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size
    print(f"{args.out}: {written:,} sessions from {first} to {last} in {elapsed:.1f} s, "
          f"{size / 2**20:,.0f} MiB")
    return 0


def generate_database(path: Path, *, registry: object | None, sessions: int, first_day: date,
                      last_day: date, now: datetime, seed: int = 2026,
                      progress: bool = True) -> int:
    """Create ``path`` with the registry (``None``: the demo province) and the sessions."""
    from bot.core.registry.large_province import Registry
    from storage import bulk_load

    # The generated province existed from the first day of its sessions: figures of a past
    # period use the registry as it was then (its teams and members from this date on).
    registered = min(now, datetime.combine(first_day, clock_time(2, 0), UTC))
    if registry is None:
        asyncio.run(_import_demo(path, registered))
    conn = bulk_load.open_for_load(path)
    try:
        if isinstance(registry, Registry):
            loggers = bulk_load.write_registry(conn, registry, registered)
        else:
            loggers = bulk_load.loggers_in(conn)
        rows = session_rows(loggers, bulk_load.categories(conn), total=sessions,
                            first_day=first_day, last_day=last_day, seed=seed)
        written = bulk_load.write_sessions(conn, rows, progress=progress)
    finally:
        bulk_load.finish(conn)
    return written


async def _import_demo(path: Path, now: datetime) -> None:
    from bot.core.registry.demo import demo_xlsx_bytes
    from bot.core.registry.validate import plan_from_file
    from storage.db import Database
    from storage.registry_import import import_plan

    async with Database(path) as db:
        await import_plan(db, plan_from_file(demo_xlsx_bytes(), "demo.xlsx", "92"),
                          province_code="92", now=now, source="demo.xlsx")
