"""Benchmarks through the sandbox: prints figures, asserts nothing (not a timed test).

    python -m tests.perf.bench_sandbox [--members 300] [--flood] [--broadcast]

1. Registry: importing the demo province (525 teams, 3,740 members) and re-importing it.
2. Logging: N members at once each send a quick-form session and press Save, through the real
   python-telegram-bot Application polling the sandbox over HTTP; latency per interaction
   (message sent → bot's answer shown) and sessions saved per second. With --flood the
   sandbox enforces Telegram's flood limits (429 + retry_after) during the run.
3. With --broadcast: the admin broadcasts to all 3,740 members (everyone linked to a sandbox
   chat, 10 of them having blocked the bot) through /broadcast, the outbox and the sender at
   the configured SEND_RATE_PER_SECOND; time from Send to the delivery report.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app.services import make_services
from bot.app.telegram import build_telegram, running
from bot.app.telegram import started as telegram_started
from bot.config import load_settings
from bot.core.registry.demo import demo_xlsx_bytes
from bot.core.registry.validate import plan_from_file
from bot.sandbox import FloodControl, SandboxServer
from bot.sandbox.testing import DEFAULT_TOKEN, SandboxUser
from storage.db import Database
from storage.registry_import import import_plan
from storage.repos import Repos

FIRST_USER_ID = 100_000


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench_import(db: Database) -> None:
    data = demo_xlsx_bytes()
    started = time.perf_counter()
    plan = plan_from_file(data, "demo.xlsx", "92")
    parsed = time.perf_counter()
    first = await import_plan(db, plan, province_code="92", now=_now())
    imported = time.perf_counter()
    again = await import_plan(db, plan_from_file(data, "demo.xlsx", "92"), province_code="92",
                              now=_now())
    reimported = time.perf_counter()
    print(f"registry: read+validate {parsed - started:.2f} s; import {imported - parsed:.2f} s "
          f"({first.teams_new} teams, {first.members_new} members); re-import "
          f"{reimported - imported:.2f} s with {again.changes} changes")


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def bench_logging(db: Database, db_path: Path, members: int, flood: bool) -> None:
    settings = load_settings(DATABASE_PATH=str(db_path))
    async with db.write() as conn:  # link N members to sandbox users, as if they had joined
        rows = await conn.execute_fetchall(
            "SELECT id FROM members WHERE team_id IS NOT NULL ORDER BY id LIMIT ?", (members,))
        for offset, row in enumerate(rows):
            uid = str(FIRST_USER_ID + offset)
            await Repos(conn).access.link(channel="telegram", external_id=uid, chat_id=uid,
                                          member_id=row[0], now=_now())
    async with SandboxServer(flood=FloodControl() if flood else None) as sandbox:
        telegram = build_telegram(settings, token=DEFAULT_TOKEN,
                                  base_url=sandbox.bot_api_base_url,
                                  base_file_url=sandbox.file_base_url)
        async with telegram_started(telegram) as username:
            services = make_services(settings, db, channels={"telegram": telegram.port},
                                     bot_username=username)
            async with running(telegram, services, poll_timeout=10):
                latencies: list[float] = []

                async def member(i: int) -> None:
                    user = SandboxUser(sandbox, FIRST_USER_ID + i, f"Thành viên {i}")
                    sent = time.perf_counter()
                    await user.send("3 chu ky so")
                    await user.next_message(timeout=120)
                    latencies.append(time.perf_counter() - sent)
                    sent = time.perf_counter()
                    await user.press("✅ Lưu")
                    await user.wait_for(lambda m: "Đã lưu" in m.text, timeout=120)
                    latencies.append(time.perf_counter() - sent)

                started = time.perf_counter()
                await asyncio.gather(*(member(i) for i in range(members)))
                elapsed = time.perf_counter() - started
    saved = len(list(await db.reader.execute_fetchall("SELECT id FROM sessions")))
    label = "with flood control" if flood else "no flood control"
    print(f"logging ({label}): {members} members, {saved} sessions saved in {elapsed:.2f} s "
          f"= {saved / elapsed:.1f} sessions/s; answer latency p50 "
          f"{statistics.median(latencies) * 1000:.0f} ms, p95 {_pct(latencies, 0.95) * 1000:.0f} "
          f"ms, max {max(latencies) * 1000:.0f} ms; 429s given: "
          f"{sandbox.stats.too_many_requests}")


async def bench_broadcast(db_path: Path) -> None:
    from bot.app.demo import PERSONA_IDS, prepare_demo
    from bot.app.jobs import Scheduling, scheduling

    # Quiet hours off: the figure is the sending rate, whatever the time of day the bench runs.
    settings = load_settings(DATABASE_PATH=str(db_path), QUIET_HOURS="00:00-00:00")
    async with Database(db_path) as db, SandboxServer() as sandbox:
        demo = await prepare_demo(make_services(settings, db))
        demo.introduce_to(sandbox)
        async with db.write() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT id FROM members m WHERE NOT EXISTS (SELECT 1 FROM identities i"
                " WHERE i.member_id = m.id AND i.channel = 'telegram')"))
            for member_id, in rows:
                uid = str(FIRST_USER_ID + member_id)
                await Repos(conn).access.link(channel="telegram", external_id=uid, chat_id=uid,
                                              member_id=member_id, now=_now())
                sandbox.add_person(int(uid), uid)
        for member_id, in rows[:10]:
            sandbox.set_blocked(FIRST_USER_ID + member_id)
        telegram = build_telegram(settings, token=DEFAULT_TOKEN,
                                  base_url=sandbox.bot_api_base_url,
                                  base_file_url=sandbox.file_base_url)
        async with telegram_started(telegram) as username:
            services = make_services(settings, db, channels={"telegram": telegram.port},
                                     bot_username=username, jobs=Scheduling())
            async with running(telegram, services, poll_timeout=10), scheduling(services):
                await asyncio.sleep(1)  # let the start-up catch-up of the demo's digests settle
                admin = SandboxUser(sandbox, PERSONA_IDS["admin"], "Admin")
                await admin.command("broadcast")
                await admin.next_message()
                await admin.press("🌏 Tất cả mọi người")
                await admin.next_message()
                await admin.send("Thông báo thử nghiệm")
                preview = await admin.next_message()
                started = time.perf_counter()
                await admin.press(next(b for b in preview.buttons if b.startswith("📣")))
                report = await admin.wait_for(lambda m: "Gửi thông báo xong" in m.text, timeout=900)
                elapsed = time.perf_counter() - started
    summary = report.text.replace("\n", "; ")
    print(f"broadcast to everyone at SEND_RATE_PER_SECOND={settings.send_rate_per_second:g}: "
          f"{elapsed:.1f} s; report: {summary}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--flood", action="store_true")
    parser.add_argument("--broadcast", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "bench.sqlite3"
        async with Database(db_path) as db:
            await bench_import(db)
            await bench_logging(db, db_path, args.members, args.flood)
        if args.broadcast:
            await bench_broadcast(Path(folder) / "broadcast.sqlite3")


if __name__ == "__main__":
    asyncio.run(main())
