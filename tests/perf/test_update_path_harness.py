"""The update-path benchmark's own parts do what its figures rely on (no timing asserted here)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.perf.update_path.members import QUICK, Member
from tests.perf.update_path.profile import render, summarise
from tests.perf.update_path.server import FakeBotApi

TOKEN = "7000000099:bench-token-not-a-real-one-x"


async def _call(session: aiohttp.ClientSession, api: FakeBotApi, method: str,
                **params: object) -> object:
    async with session.post(f"{api.url}/bot{TOKEN}/{method}", json=params) as response:
        body = await response.json()
    assert body["ok"] is True
    return body["result"]


async def test_updates_are_delivered_until_an_offset_confirms_them() -> None:
    api = FakeBotApi()
    await api.start()
    try:
        async with aiohttp.ClientSession() as session:
            api.user_message(100_001, "3 chu ky so")
            first = await _call(session, api, "getUpdates", timeout=0)
            again = await _call(session, api, "getUpdates", timeout=0)
            assert first == again
            assert isinstance(first, list)
            assert first[0]["message"]["text"] == "3 chu ky so"
            confirmed = await _call(session, api, "getUpdates", timeout=0,
                                    offset=first[0]["update_id"] + 1)
            assert confirmed == []
    finally:
        await api.stop()


async def test_a_long_poll_returns_as_soon_as_a_member_writes() -> None:
    api = FakeBotApi()
    await api.start()
    try:
        async with aiohttp.ClientSession() as session:
            poll = asyncio.create_task(_call(session, api, "getUpdates", timeout=30))
            for _ in range(500):  # until the poll has reached the server and waits
                if api.calls["getUpdates"]:
                    break
                await asyncio.sleep(0.01)
            assert not poll.done()
            api.user_message(100_001, "hello")
            updates = await asyncio.wait_for(poll, 10)
            assert isinstance(updates, list)
            assert [u["message"]["text"] for u in updates] == ["hello"]
    finally:
        await api.stop()


async def test_a_member_presses_the_button_the_bot_sent_and_sees_the_edit() -> None:
    api = FakeBotApi()
    await api.start()
    member = Member(100_001, QUICK)
    try:
        async with aiohttp.ClientSession() as session:
            answer = member.send_next(api)
            await _call(session, api, "getUpdates", timeout=0)
            save = {"inline_keyboard": [[{"text": "✅ Lưu", "callback_data": "log:s:abc123"}]]}
            await _call(session, api, "sendMessage", chat_id=100_001, text="Summary",
                        reply_markup=save)
            outcome = await member.settle(api, answer, timeout=10)
            assert outcome.ok
            assert member.step == 1

            answer = member.send_next(api)
            updates = await _call(session, api, "getUpdates", timeout=0, offset=2)
            assert isinstance(updates, list)
            press = updates[0]["callback_query"]
            assert press["data"] == "log:s:abc123"
            await _call(session, api, "editMessageText", chat_id=100_001,
                        message_id=press["message"]["message_id"], text="Saved")
            outcome = await member.settle(api, answer, timeout=10)
            assert outcome.ok
            assert member.step == 0  # back to the start for the next session
    finally:
        await api.stop()


async def test_an_answer_without_the_expected_button_is_an_error() -> None:
    api = FakeBotApi()
    await api.start()
    member = Member(100_001, QUICK)
    try:
        async with aiohttp.ClientSession() as session:
            answer = member.send_next(api)
            await _call(session, api, "sendMessage", chat_id=100_001, text="Sorry, an error")
            outcome = await member.settle(api, answer, timeout=10)
            assert not outcome.ok
            assert member.step == 0
    finally:
        await api.stop()


def test_the_profile_is_summed_by_library(tmp_path: Path) -> None:
    raw = tmp_path / "profile.txt"
    raw.write_text(
        "main (/srv/bot/app/run.py:10);dispatch (/srv/handlers/dispatch.py:60);"
        "Connection._execute (/v/lib/python3.11/site-packages/aiosqlite/core.py:158) 30\n"
        "main (/srv/bot/app/run.py:10);find_longest_match (/usr/lib/python3.11/difflib.py:385)"
        " 10\n"
        "_connection_worker_thread (/v/lib/python3.11/site-packages/aiosqlite/core.py:59) 60\n")
    summary = summarise(raw)
    assert summary.samples == 100
    assert summary.self_by_library["aiosqlite"] == 90
    assert summary.self_by_library["difflib"] == 10
    assert summary.inclusive_by_library["this bot"] == 40
    text = render(summary)
    assert "| aiosqlite | 90.0 % | 90.0 % |" in text
    assert "`_connection_worker_thread (aiosqlite/core.py:59)` | aiosqlite | 60.0 %" in text
