"""The web dashboard on the largest province: each page's server time (p50, p95) and size.
Prints figures, asserts nothing (not a timed test).

    python -m tests.perf.bench_dashboard [--large-sessions 20000000] [--keep DIR] [--rounds 20]

The database is the one ``tests.perf.bench_figures`` generates (Hồ Chí Minh City: 168 communes,
5,000 teams, 35,000 members, three years of ``--large-sessions``), kept in ``--keep`` and
reused. The bot's web server runs on a loopback port with the real routes; a province and a
commune coordinator log in by a login link, as from /web, and every page is asked for
``--rounds`` times; the time is taken around each request on the same machine (loopback HTTP
adds well under a millisecond).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp

from bot.app.services import make_services
from bot.app.web.server import WebRoutes, WebServer
from bot.config import load_settings
from bot.core.calendar import week_of
from bot.core.web_access import LINK_TTL
from handlers.kit.context import Services
from handlers.steering.web_login import login_url
from storage.db import Database
from storage.file_links import new_token, token_hash
from storage.repos import Repos
from tests.perf.bench_figures import LARGE, ensure_db, percentile


async def login(server: WebServer, services: Services, member_id: int,
                session: aiohttp.ClientSession) -> None:
    """What /web and opening its link do."""
    token = new_token()
    now = services.clock()
    async with services.db.write() as conn:
        await Repos(conn).web.add_link(token_hash(token), member_id, now, now + LINK_TTL)
    async with session.get(login_url(server.url, token)) as response:
        assert response.status == 200, response.status


async def measure(session: aiohttp.ClientSession, url: str, rounds: int
                  ) -> tuple[list[float], list[float], int]:
    """Wall-clock seconds of each request, CPU seconds of this process (the server, SQLite's
    threads and the client together) for each, and the body's size."""
    times: list[float] = []
    cpu: list[float] = []
    size = 0
    for _ in range(rounds):
        started, used = time.perf_counter(), time.process_time()
        async with session.get(url) as response:
            body = await response.read()
            assert response.status == 200, (url, response.status)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
        size = len(body)
    return times, cpu, size


async def main(args: argparse.Namespace, keep: Path) -> None:
    last = args.until
    path = await ensure_db(keep / f"large-{LARGE}-{args.large_sessions}.sqlite3",
                           province=LARGE, sessions=args.large_sessions, years=3, last=last)
    settings = load_settings(DATABASE_PATH=str(path), PROVINCE_CODE=LARGE)
    now = datetime.combine(last, datetime.min.time(), UTC) + timedelta(hours=3)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"{args.large_sessions:,} sessions; {args.rounds} rounds per page\n")
    async with Database(path) as db:
        services = make_services(settings, db, clock=lambda: now)
        server = WebServer(WebRoutes(services))
        await server.start("127.0.0.1", 0)
        try:
            read = services.read.conn
            province_member = (await read.execute_fetchall(
                "SELECT member_id FROM role_grants WHERE role = 'province_coordinator'"
                " ORDER BY member_id LIMIT 1"))[0][0]
            commune_member, commune = (await read.execute_fetchall(
                "SELECT member_id, scope_id FROM role_grants WHERE role = 'commune_coordinator'"
                " ORDER BY member_id LIMIT 1"))[0]
            team, member = (await read.execute_fetchall(
                "SELECT t.id, m.id FROM teams t JOIN members m ON m.team_id = t.id"
                " WHERE t.commune_code = ? AND m.active ORDER BY t.id LIMIT 1", (commune,)))[0]
            month = f"m{last:%Y-%m}"
            week = f"w{week_of(last).start.isoformat()}"
            quarter = f"q{last.year}-{(last.month - 1) // 3 + 1}"
            last_month = f"m{last.replace(day=1) - timedelta(days=1):%Y-%m}"
            pages = {
                "province_coordinator": [
                    ("overview, province, month", f"/web/overview/p?p={month}"),
                    ("overview, province, week", f"/web/overview/p?p={week}"),
                    ("overview, province, quarter", f"/web/overview/p?p={quarter}"),
                    ("overview, province, last month (with its approvals)",
                     f"/web/overview/p?p={last_month}"),
                    ("places, province (168 communes ranked), month",
                     f"/web/places/p?p={month}"),
                    ("places, province, quarter", f"/web/places/p?p={quarter}"),
                    ("trends, province (12 weeks + 12 months)", "/web/trends/p"),
                    ("downloads, province", f"/web/downloads/p?p={month}"),
                    ("sessions", "/web/sessions"),
                ],
                "commune_coordinator": [
                    ("overview, commune, month", f"/web/overview/c{commune}?p={month}"),
                    ("places, commune (its teams), month", f"/web/places/c{commune}?p={month}"),
                    ("places, team (its members), month", f"/web/places/t{team}?p={month}"),
                    ("member, month", f"/web/members/{member}?p={month}"),
                    ("trends, commune", f"/web/trends/c{commune}"),
                ],
            }
            print("| page | server time p50 / p95 / max | CPU p50 / p95 | size |")
            print("|---|---|---|---|")
            for role, member_id in (("province_coordinator", province_member),
                                    ("commune_coordinator", commune_member)):
                async with aiohttp.ClientSession(
                        cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
                    await login(server, services, int(member_id), session)
                    for label, path in pages[role]:
                        times, cpu, size = await measure(session, server.url + path,
                                                         args.rounds)
                        print(f"| {label} | {percentile(times, 50) * 1000:.0f} / "
                              f"{percentile(times, 95) * 1000:.0f} / {max(times) * 1000:.0f} ms"
                              f" | {percentile(cpu, 50) * 1000:.0f} / "
                              f"{percentile(cpu, 95) * 1000:.0f} ms | {size / 1024:.1f} KB |",
                              flush=True)
                    if role == "province_coordinator":
                        times, cpu, size = await measure(
                            session, f"{server.url}/web/feed.csv?from={last:%Y-%m}", 3)
                        print(f"| download: the feed CSV of a month (not a page) | "
                              f"{min(times) * 1000:.0f} ms best of 3 | {min(cpu) * 1000:.0f} ms"
                              f" | {size / 1024:.1f} KB |", flush=True)
        finally:
            await server.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.perf.bench_dashboard")
    parser.add_argument("--large-sessions", type=int, default=20_000_000)
    parser.add_argument("--keep", default=None, help="folder for the generated database")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--until", type=date.fromisoformat, default=date(2026, 11, 29),
                        help="the last day with sessions")
    return parser


if __name__ == "__main__":
    arguments = _parser().parse_args()
    if arguments.keep:
        folder = Path(arguments.keep)
        folder.mkdir(parents=True, exist_ok=True)
        asyncio.run(main(arguments, folder))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(main(arguments, Path(tmp)))
