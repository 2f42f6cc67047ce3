"""``python -m bot reindex [--check]`` and ``python -m bot digest``: figures from the shell.

* ``reindex`` rebuilds the roll-up tables from the raw sessions (after a restore, or data
  loaded by another tool); ``--check`` only compares them and exits 1 if they disagree.
* ``digest`` prints the digest text an operator's coordinators get, in DEFAULT_LANGUAGE:
  the province's for the current week so far (``--week 2026-W48``: that full week, as sent on
  the Monday after), one commune's (``--commune 31441``), or every commune's and then the
  province's (``--all``). Handy for checking figures by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import date, timedelta

from bot.config import Settings


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reindex = sub.add_parser("reindex", help="rebuild the figures' roll-up tables from the raw "
                                             "sessions")
    reindex.add_argument("--check", action="store_true",
                         help="only compare roll-ups and raw rows; exit 1 if they disagree")
    digest = sub.add_parser("digest", help="print the digest text(s) coordinators get")
    digest.add_argument("--week", default=None, metavar="YYYY-Www",
                        help="a full ISO week, e.g. 2026-W48 (default: this week so far)")
    which = digest.add_mutually_exclusive_group()
    which.add_argument("--commune", default=None, metavar="CODE",
                       help="one commune's digest (its official code)")
    which.add_argument("--all", action="store_true",
                       help="every commune's digest, then the province's")


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "reindex":
        return asyncio.run(_reindex(settings, check_only=args.check))
    week: date | None = None
    if args.week:
        week = _week(args.week)
        if week is None:
            print(f"--week: expected an ISO week such as 2026-W48, not {args.week!r}",
                  file=sys.stderr)
            return 2
    return asyncio.run(_digest(settings, week, args.commune, args.all))


def _week(text: str) -> date | None:
    from bot.core.calendar import parse_week_key

    try:
        return parse_week_key(text.strip().upper())
    except ValueError:
        return None


async def _reindex(settings: Settings, *, check_only: bool) -> int:
    from storage import rollups
    from storage.db import Database

    async with Database(settings.database_path) as db:
        if not check_only:
            started = time.perf_counter()
            async with db.write() as conn:
                await rollups.rebuild(conn)
            print(f"roll-ups rebuilt from the raw sessions in "
                  f"{time.perf_counter() - started:.1f} s")
        report = await rollups.check(db)
    for table, count in report.mismatches.items():
        print(f"{table}: {'agrees with the raw sessions' if not count else f'{count} rows differ'}")
    if not report.ok:
        print("the roll-ups disagree with the raw sessions: run `python -m bot reindex`")
    return 0 if report.ok else 1


async def _digest(settings: Settings, week: date | None, commune: str | None,
                  every: bool) -> int:
    from bot.app.services import make_services
    from bot.core.calendar import local_today, week_of
    from bot.core.digest import commune_text, province_text
    from handlers.steering.weekly import commune_digest, province_digest
    from storage.db import Database

    lang = settings.default_language
    async with Database(settings.database_path) as db:
        services = make_services(settings, db)
        today = local_today(services.clock(), settings.tz)
        period = week_of(week) if week else week_of(today).so_far(today)
        if week is not None:
            today = week + timedelta(days=7)  # as on the Monday the digest is sent
        read = services.read
        province = settings.province_code
        codes = [commune] if commune else [
            c.code for c in await read.geo.communes_with_teams(province)] if every else []
        texts: list[str] = []
        for code in codes:
            found = await commune_digest(services, code, period, lang, today)
            if found is None:
                print(f"--commune: no commune with the code {code!r}", file=sys.stderr)
                return 2
            texts.append(commune_text(services.t, lang, found))
        if commune is None:
            texts.append(province_text(services.t, lang,
                                       await province_digest(services, province, period, lang)))
    print("\n\n────────\n\n".join(texts))
    return 0
