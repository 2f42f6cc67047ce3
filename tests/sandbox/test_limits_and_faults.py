"""Flood control (429 + retry_after) and deterministic fault injection."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import aiohttp
import pytest
from telegram.error import NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.sandbox import FaultConfig, FloodControl, SandboxServer
from bot.sandbox.faults import Fault, FaultInjector
from bot.sandbox.flood import FloodLimiter
from bot.sandbox.testing import DEFAULT_TOKEN, SandboxUser

ALICE = 1001
# AIORateLimiter itself reads RetryAfter.retry_after, deprecated as an int since PTB 22.2.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_flood_limits_are_off_by_default(bot, sandbox: SandboxServer) -> None:
    await SandboxUser(sandbox, ALICE, "Alice").send("/start")
    await asyncio.gather(*(bot.send_message(ALICE, f"{i}") for i in range(40)))
    assert sandbox.stats.too_many_requests == 0


async def test_burst_without_rate_limiter_gets_429(bot, sandbox: SandboxServer) -> None:
    await SandboxUser(sandbox, ALICE, "Alice").send("/start")
    sandbox.flood = FloodControl()  # Telegram's defaults, switched on at run time
    results = await asyncio.gather(*(bot.send_message(ALICE, f"{i}") for i in range(40)),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) == 40 - 3  # a burst of 3 per chat goes through
    for error in refused:
        retry = error.retry_after  # type: ignore[union-attr]
        assert (retry.total_seconds() if isinstance(retry, timedelta) else retry) >= 1
    assert sandbox.stats.too_many_requests == 37
    assert sandbox.stats.messages_delivered == 3
    await bot.get_me()  # not a send: never limited


async def test_rate_limiter_delivers_every_message_exactly_once(sandbox: SandboxServer) -> None:
    await SandboxUser(sandbox, ALICE, "Alice").send("/start")
    # Telegram-like global limits, but a chat allowance that keeps this test to ~1-2 s.
    sandbox.flood = FloodControl(global_per_second=30, per_chat_per_second=20, per_chat_burst=20)
    started = time.monotonic()
    limited = ExtBot(DEFAULT_TOKEN, base_url=sandbox.bot_api_base_url,
                     base_file_url=sandbox.file_base_url,
                     rate_limiter=AIORateLimiter(max_retries=10),
                     request=HTTPXRequest(connection_pool_size=50))
    async with limited:
        await asyncio.gather(*(limited.send_message(ALICE, f"tin {i}") for i in range(40)))
    texts = [m["text"] for m in sandbox.state.messages[ALICE].values() if m["from"]["is_bot"]]
    assert sorted(texts) == sorted(f"tin {i}" for i in range(40))
    assert sandbox.stats.too_many_requests > 0  # the limiter really had to retry
    assert time.monotonic() - started < 8


def test_flood_limiter_counts_group_minutes() -> None:
    clock = [0.0]
    limiter = FloodLimiter(FloodControl(global_per_second=100, per_chat_per_second=100,
                                        per_chat_burst=100, group_per_minute=20),
                           clock=lambda: clock[0])
    assert all(limiter.acquire(-5, is_group=True) == 0 for _ in range(20))
    assert limiter.acquire(-5, is_group=True) == 3  # one token per 3 s
    clock[0] += 3
    assert limiter.acquire(-5, is_group=True) == 0
    assert limiter.acquire(77, is_group=False) == 0  # private chats are not group-limited


async def _fault_pattern(config: FaultConfig, calls: int) -> list[str]:
    async with SandboxServer(faults=config) as sandbox, aiohttp.ClientSession() as session:
        await SandboxUser(sandbox, ALICE, "Alice").send("/start")
        pattern = []
        for i in range(calls):
            async with session.post(f"{sandbox.bot_api_base_url}T/sendMessage",
                                    json={"chat_id": ALICE, "text": str(i)}) as response:
                pattern.append(str(response.status))
        delivered = sandbox.stats.messages_delivered
        assert delivered == pattern.count("200")  # a faulted send is never delivered
        assert sum(sandbox.stats.faults.values()) == calls - delivered
        return pattern


async def test_faults_follow_the_seed() -> None:
    config = FaultConfig(seed=42, error_rate=0.3)
    pattern = await _fault_pattern(config, 30)
    injector = FaultInjector(config)
    expected = []
    for _ in range(30):
        fault = injector.decide().fault
        expected.append({Fault.NONE: "200", Fault.ERROR_500: "500",
                         Fault.ERROR_502: "502"}[fault])
    assert pattern == expected
    assert pattern == await _fault_pattern(config, 30)  # same seed, same story
    assert 3 <= len([s for s in pattern if s != "200"]) <= 18
    assert await _fault_pattern(FaultConfig(seed=42), 10) == ["200"] * 10


async def test_dropped_connection_is_a_network_error(bot, sandbox: SandboxServer) -> None:
    await SandboxUser(sandbox, ALICE, "Alice").send("/start")
    sandbox.faults = FaultConfig(seed=1, drop_rate=1.0)
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE, "mất kết nối")
    assert await bot.get_me()  # getMe is exempt by default
    sandbox.faults = FaultConfig(seed=1, error_rate=1.0)
    with pytest.raises(NetworkError, match=r"Internal Server Error|Bad Gateway"):
        await bot.send_message(ALICE, "lỗi")
    sandbox.faults = None
    await bot.send_message(ALICE, "ổn rồi")
    assert sandbox.stats.faults["drop"] == 1
    assert sandbox.stats.messages_delivered == 1


async def test_slow_answers_wait(bot, sandbox: SandboxServer) -> None:
    await SandboxUser(sandbox, ALICE, "Alice").send("/start")
    sandbox.faults = FaultConfig(seed=3, slow_rate=1.0, slow_seconds=0.2)
    started = time.monotonic()
    await bot.send_message(ALICE, "chậm")
    assert time.monotonic() - started >= 0.2
    assert sandbox.stats.faults["slow"] == 1


async def test_config_endpoint_switches_limits(sandbox: SandboxServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{sandbox.url}/sandbox/api/config", json={
                "flood": {"per_chat_burst": 5}, "faults": {"seed": 7, "error_rate": 0.1}}) as r:
            body = await r.json()
        assert body["flood"]["per_chat_burst"] == 5
        assert sandbox.flood == FloodControl(per_chat_burst=5)
        assert sandbox.faults is not None
        assert sandbox.faults.seed == 7
        async with session.post(f"{sandbox.url}/sandbox/api/config",
                                json={"flood": None, "faults": None}) as r:
            assert (await r.json())["flood"] is None
        assert sandbox.flood is None
        assert sandbox.faults is None
        async with session.post(f"{sandbox.url}/sandbox/api/config",
                                json={"flood": {"nonsense": 1}}) as r:
            assert r.status == 400
        async with session.get(f"{sandbox.url}/sandbox/api/stats") as r:
            assert (await r.json())["stats"]["requests"] == {}
