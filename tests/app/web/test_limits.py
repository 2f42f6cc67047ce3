"""The web server's limits, seen from outside: a body too large, a connection that never sends
a request (or goes quiet), more connections than the cap — each refused without harm, and the
next ordinary request still answered."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.app.web.server import WebLimits, WebRoutes, WebServer
from tests.harness.installation import ROOT

SMALL = WebLimits(max_body=1 << 20, idle_timeout=0.3, max_connections=5)


class _Plain(WebRoutes):
    """Two trivial routes: the limits are the server's, whatever it serves."""

    def __init__(self) -> None:  # no services needed
        pass

    def routes(self) -> list[web.RouteDef]:
        async def ok(request: web.Request) -> web.Response:
            return web.Response(text="ok")

        async def echo(request: web.Request) -> web.Response:
            return web.Response(text=str(len(await request.read())))

        return [web.get("/healthz", ok), web.post("/webhook/telegram", echo)]


@pytest.fixture
async def server(request: pytest.FixtureRequest) -> AsyncIterator[WebServer]:
    limits = getattr(request, "param", SMALL)
    running = WebServer(_Plain(), limits)
    await running.start("127.0.0.1", 0)
    try:
        yield running
    finally:
        await running.stop()


def _port(server: WebServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


async def _get(server: WebServer) -> int:
    async with aiohttp.ClientSession() as session, session.get(server.url + "/healthz") as r:
        await r.read()
        return r.status


def test_the_limits_are_explicit_and_below_the_units_open_file_limit() -> None:
    limits = WebLimits()
    assert limits.max_body == 1 << 20
    assert limits.idle_timeout <= 75  # not aiohttp's default of about an hour
    unit = (ROOT / "deploy" / "tocns-bot.service").read_text(encoding="utf-8")
    match = re.search(r"^LimitNOFILE=(\d+)$", unit, re.MULTILINE)
    assert match, "the unit sets no LimitNOFILE"
    # Room left for the database, the Bot API clients, backups and the journal.
    assert limits.max_connections + 500 <= int(match[1])
    nginx = (ROOT / "deploy" / "nginx" / "tocns-bot.conf").read_text(encoding="utf-8")
    assert "client_max_body_size 1m;" in nginx


async def test_a_body_over_the_limit_is_refused_with_413(server: WebServer) -> None:
    async with aiohttp.ClientSession() as session:
        url = server.url + "/webhook/telegram"
        async with session.post(url, data=b"x" * (SMALL.max_body + 1)) as response:
            assert response.status == 413
        async with session.post(url, data=b"x" * 1000) as response:
            assert (response.status, await response.text()) == (200, "1000")


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bool:
    data = await asyncio.wait_for(reader.read(), within)  # read() returns at EOF
    return data == b""


async def test_idle_and_slow_header_connections_are_closed(server: WebServer) -> None:
    idle_r, idle_w = await asyncio.open_connection("127.0.0.1", _port(server))
    slow_r, slow_w = await asyncio.open_connection("127.0.0.1", _port(server))
    slow_w.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # ...and the rest never comes
    await slow_w.drain()
    try:
        assert await _closed_by_server(idle_r, 5)
        assert await _closed_by_server(slow_r, 5)
    finally:
        idle_w.close()
        slow_w.close()
    assert await _get(server) == 200


async def test_beyond_the_connection_cap_a_new_connection_gets_503_at_once(
        server: WebServer) -> None:
    held = [await asyncio.open_connection("127.0.0.1", _port(server))
            for _ in range(SMALL.max_connections)]
    await asyncio.sleep(0)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", _port(server))
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 503 ")
        assert server.refused_connections == 1
    finally:
        for _, w in held:
            w.close()
    # Once they are gone (closed by their clients, or by the idle timeout), service resumes.
    for _ in range(100):
        if await _get(server) == 200:
            break
        await asyncio.sleep(0.05)
    assert await _get(server) == 200
