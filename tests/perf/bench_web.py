"""Benchmarks of the web server and the Zalo channel: prints figures, asserts nothing.

    python -m tests.perf.bench_web [--people 40]

1. Zalo: N linked members each send ``/me`` at the same instant, received by polling with one
   update handled at a time (the former poller) and with different chats handled at once (the
   current one), and by webhook; time until every answer is shown, and per-answer latency.
   Each sendMessage waits ``--rtt`` seconds first, standing in for the network round trip to
   Zalo's servers (the sandbox answers in a millisecond, which would hide what concurrency
   is for).
2. ``GET /healthz``, ``GET /metrics`` and a file link (``/f/…``, a 40 KB chart) 200 times
   each: latency p50/p95 on the demo province's database.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import aiohttp

from bot.app.demo import prepare_demo
from bot.app.run import zalo_webhook
from bot.app.services import Services, file_links, make_services
from bot.app.zalo_poller import build_zalo, running_zalo
from bot.channels.zalo_api import ZaloApi
from bot.config import load_settings
from bot.core.chat import OutFile
from bot.sandbox import SandboxServer
from bot.sandbox.zalo_testing import SandboxZaloUser
from storage.db import Database
from storage.repos import Repos
from tests.harness.web import serving
from tests.perf.bench_sandbox import _now, _pct

FIRST_ZALO_ID = 0xB0000
SECRET = "bench-webhook-secret-0123456789"


async def _link_members(services: Services, people: int) -> list[str]:
    ids: list[str] = []
    async with services.db.write() as conn:
        rows = await conn.execute_fetchall(
            "SELECT id FROM members WHERE team_id IS NOT NULL AND id NOT IN"
            " (SELECT member_id FROM identities WHERE channel = 'zalo') ORDER BY id LIMIT ?",
            (people,))
        for offset, row in enumerate(rows):
            uid = f"{FIRST_ZALO_ID + offset:020x}"
            await Repos(conn).access.link(channel="zalo", external_id=uid, chat_id=uid,
                                          member_id=row[0], now=_now())
            ids.append(uid)
    return ids


async def _burst(sandbox: SandboxServer, ids: list[str]) -> tuple[float, list[float]]:
    users = [SandboxZaloUser(sandbox, uid, f"Bench {i}") for i, uid in enumerate(ids)]
    for user in users:
        await user.refresh()
    latencies: list[float] = []

    async def one(user: object) -> None:
        started = time.perf_counter()
        await user.send("/me")  # type: ignore[attr-defined]
        await user.next_message(timeout=120)  # type: ignore[attr-defined]
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(u) for u in users))
    return time.perf_counter() - started, latencies


async def bench_zalo(services: Services, people: int, rtt: float) -> None:
    """``services``: the bot without channels; each run wires its own Zalo bot to a sandbox."""
    ids = await _link_members(services, people)
    send = ZaloApi.send_message

    async def far_away(api: ZaloApi, chat_id: str, text: str) -> dict[str, Any]:
        await asyncio.sleep(rtt)  # the network, simulated
        return await send(api, chat_id, text)

    ZaloApi.send_message = far_away  # type: ignore[method-assign]
    for label, hooked in (("polling", False), ("webhook", True)):
        async with SandboxServer() as sandbox, AsyncExitStack() as stack:
            zalo = build_zalo(services.settings, services.db, services.clock, token="1:bench",
                              base_url=sandbox.zalo_api_base_url, files=services.links)
            stack.push_async_callback(zalo.close)
            with_zalo = replace(services, channels=MappingProxyType({"zalo": zalo.port}))
            server = await stack.enter_async_context(serving(with_zalo))
            webhook = zalo_webhook(server.web, server.url, SECRET) if hooked else None
            await stack.enter_async_context(running_zalo(zalo, with_zalo, poll_timeout=5,
                                                         webhook=webhook))
            total, latencies = await _burst(sandbox, ids)
        print(f"zalo {label} (RTT {rtt * 1000:.0f} ms): {people} /me at once answered in "
              f"{total:.2f} s; latency p50 {_pct(latencies, 0.5):.2f} s, "
              f"p95 {_pct(latencies, 0.95):.2f} s")
    ZaloApi.send_message = send  # type: ignore[method-assign]


async def bench_endpoints(services: Services, requests: int) -> None:
    async with serving(services) as server, aiohttp.ClientSession() as session:
        assert services.links is not None
        link = await services.links.publish(OutFile("chart.png", b"\x89PNG" + b"0" * 40_000,
                                                    "image/png"), "photo")
        assert link is not None
        for path in ("/healthz", "/metrics", link.url):
            url = path if path.startswith("http") else server.url + path
            times: list[float] = []
            for _ in range(requests):
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                times.append(time.perf_counter() - started)
            shown = "/f/<token>" if path.startswith("http") else path
            print(f"GET {shown}: p50 {_pct(times, 0.5) * 1000:.1f} ms, "
                  f"p95 {_pct(times, 0.95) * 1000:.1f} ms ({requests} requests)")


async def main(people: int, requests: int, rtt: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        settings = load_settings(DATABASE_PATH=str(path))
        async with Database(path) as db:
            services = make_services(settings, db, links=file_links(settings, db))
            await prepare_demo(services)
            await bench_zalo(services, people, rtt)
            await bench_endpoints(services, requests)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rtt", type=float, default=0.15)
    args = parser.parse_args()
    asyncio.run(main(args.people, args.requests, args.rtt))
