"""Both channels by webhook: the platform POSTs each update with the secret; anyone else is
refused with 403 and changes nothing; a repeated delivery is handled once."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest

from bot.app.web.webhooks import (
    TELEGRAM_HEADER,
    TELEGRAM_PATH,
    ZALO_HEADER,
    ZALO_PATH,
    Throttle,
)
from bot.sandbox.testing import SandboxUser
from bot.sandbox.zalo_testing import SandboxZaloUser
from tests.harness.hooked import TELEGRAM_SECRET, ZALO_SECRET, HookedWorld


def _telegram_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    person = {"id": user_id, "is_bot": False, "first_name": "Khách"}
    message: dict[str, Any] = {"message_id": update_id, "date": int(time.time()),
                               "chat": {"id": user_id, "type": "private", "first_name": "Khách"},
                               "from": person, "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def _zalo_update(message_id: str, user_id: str, text: str) -> dict[str, Any]:
    return {"event_name": "message.text.received", "message": {
        "message_id": message_id, "date": int(time.time() * 1000),
        "chat": {"id": user_id, "chat_type": "PRIVATE"},
        "from": {"id": user_id, "display_name": "Khách", "is_bot": False}, "text": text}}


def _counter(world: HookedWorld, name: str, **labels: str) -> float:
    value = world.services.metrics.registry.get_sample_value(name, labels)
    return value or 0.0


async def _processed(world: HookedWorld, channel: str, key: str) -> bool:
    rows = await world.services.db.reader.execute_fetchall(
        "SELECT 1 FROM inbox WHERE channel = ? AND update_key = ?", (channel, key))
    return bool(list(rows))  # stored in the inbox: received, and handled from there


async def test_telegram_delivers_to_the_webhook_and_the_bot_answers(hooked: HookedWorld) -> None:
    hook = hooked.sandbox.state.webhook
    assert hook is not None
    assert hook.url == hooked.url + TELEGRAM_PATH
    assert hook.secret_token == TELEGRAM_SECRET
    member = hooked.person("member_1")
    await member.send("/help")
    assert "/log" in (await member.next_message()).text
    assert hooked.sandbox.stats.requests.get("getupdates", 0) == 0  # nobody polls


async def test_a_telegram_call_without_the_secret_is_refused_and_changes_nothing(
        hooked: HookedWorld) -> None:
    user_id = 5_550_001
    hooked.sandbox.add_person(user_id, "Khách")
    visitor = SandboxUser(hooked.sandbox, user_id, "Khách")
    await visitor.refresh()
    update = _telegram_update(900_001, user_id, "/start")
    key = f"m:{user_id}:900001:{update['message']['date']}"
    assert await hooked.post(TELEGRAM_PATH, update) == 403
    assert await hooked.post(TELEGRAM_PATH, update, {TELEGRAM_HEADER: "wrong-secret"}) == 403
    assert await hooked.post(TELEGRAM_PATH, update,
                             {TELEGRAM_HEADER: TELEGRAM_SECRET[:-1] + "X"}) == 403
    await visitor.refresh()
    assert visitor.drain() == []
    assert not await _processed(hooked, "telegram", key)
    assert _counter(hooked, "tocns_errors_total", kind="webhook_secret") == 3
    # The same update with the secret is handled: the refusals left no trace behind.
    assert await hooked.post(TELEGRAM_PATH, update, {TELEGRAM_HEADER: TELEGRAM_SECRET}) == 200
    assert "mã mời" in (await visitor.next_message()).text
    assert await _processed(hooked, "telegram", key)


async def test_a_repeated_telegram_delivery_is_handled_once(hooked: HookedWorld) -> None:
    member = hooked.person("member_1")
    await member.send("/help")
    await member.next_message()
    hooked.sandbox.redeliver(hooked.sandbox.last_update_id)  # Telegram sends it again
    await member.send("/me")
    # Deliveries come in order: had the repeat been answered, a second /help would come first.
    assert "Nguyễn Thị Mai" in (await member.next_message()).text
    assert member.drain() == []
    assert _counter(hooked, "tocns_updates_duplicate_total", channel="telegram") == 1


async def test_zalo_delivers_to_the_webhook_and_the_bot_answers(hooked: HookedWorld) -> None:
    state = hooked.sandbox.zalo.state
    assert state.webhook is not None
    assert state.webhook["url"] == hooked.url + ZALO_PATH
    visitor = SandboxZaloUser(hooked.sandbox, "0000000000000000a001", "Khách Zalo")
    await visitor.send("/start")
    assert "mã mời" in (await visitor.next_message()).text
    assert state.stats.requests.get("getupdates", 0) == 0  # nobody polls: it came by webhook


async def test_a_zalo_call_without_the_secret_is_refused_and_changes_nothing(
        hooked: HookedWorld) -> None:
    user_id = "0000000000000000a002"
    visitor = SandboxZaloUser(hooked.sandbox, user_id, "Khách")
    await visitor.refresh()
    update = _zalo_update("feed0000000000000001", user_id, "/start")
    assert await hooked.post(ZALO_PATH, update) == 403
    assert await hooked.post(ZALO_PATH, update, {ZALO_HEADER: "not-the-secret-at-all"}) == 403
    assert await hooked.post(ZALO_PATH, update, {ZALO_HEADER: TELEGRAM_SECRET}) == 403
    await visitor.refresh()
    assert visitor.drain() == []
    key = "message.text.received:feed0000000000000001"
    assert not await _processed(hooked, "zalo", key)
    # With the secret: as Zalo's clients see it (bare) ...
    assert await hooked.post(ZALO_PATH, update, {ZALO_HEADER: ZALO_SECRET}) == 200
    assert "mã mời" in (await visitor.next_message()).text
    # ... and as Zalo's docs show it (wrapped).
    wrapped = {"ok": True, "result": _zalo_update("feed0000000000000002", user_id, "/help")}
    assert await hooked.post(ZALO_PATH, wrapped, {ZALO_HEADER: ZALO_SECRET}) == 200
    assert "/start" in (await visitor.next_message()).text
    # Not an update at all: refused as such, nothing handled.
    assert await hooked.post(ZALO_PATH, {"ok": True}, {ZALO_HEADER: ZALO_SECRET}) == 400


async def test_a_repeated_zalo_delivery_is_handled_once(hooked: HookedWorld) -> None:
    visitor = SandboxZaloUser(hooked.sandbox, "0000000000000000a003", "Khách")
    sent = await visitor.send("/start")
    await visitor.next_message()
    await visitor.redeliver(sent)
    update = _zalo_update(sent.message_id, visitor.user_id, "/start")
    assert await hooked.post(ZALO_PATH, update, {ZALO_HEADER: ZALO_SECRET}) == 200
    await visitor.send("/help")
    assert "/start" in (await visitor.next_message()).text  # the /help answer, nothing before
    assert visitor.drain() == []
    assert _counter(hooked, "tocns_updates_duplicate_total", channel="zalo") == 2


async def _post_raw(world: HookedWorld, path: str, data: bytes, headers: dict[str, str]) -> int:
    async with world.sandbox.client_session.post(
            world.url + path, data=data,
            headers={"Content-Type": "application/json", **headers}) as response:
        await response.read()
        return response.status


async def test_malformed_updates_with_the_secret_get_400_and_are_counted(
        hooked: HookedWorld, caplog: pytest.LogCaptureFixture) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    wrapped_deep = b'{"update_id": 1, "x": ' + deep + b"}"
    message = _telegram_update(900_100, 5_550_100, "hello")
    far, farther = json.loads(json.dumps(message)), json.loads(json.dumps(message))
    far["message"]["date"] = 1e15
    farther["message"]["date"] = 1e300
    sent = [b"{}", deep, wrapped_deep, json.dumps(far).encode(), json.dumps(farther).encode()]
    for body in sent:
        assert await _post_raw(hooked, TELEGRAM_PATH, body,
                               {TELEGRAM_HEADER: TELEGRAM_SECRET}) == 400
    assert await _post_raw(hooked, ZALO_PATH, deep, {ZALO_HEADER: ZALO_SECRET}) == 400
    assert await _post_raw(hooked, ZALO_PATH, wrapped_deep, {ZALO_HEADER: ZALO_SECRET}) == 400
    assert _counter(hooked, "tocns_errors_total", kind="webhook_malformed") == len(sent) + 2
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    # The web server is none the worse: a good update still goes through.
    assert await hooked.post(TELEGRAM_PATH, _telegram_update(900_101, 5_550_100, "/start"),
                             {TELEGRAM_HEADER: TELEGRAM_SECRET}) == 200


async def test_refused_calls_are_all_counted_but_logged_once_a_minute(
        hooked: HookedWorld, caplog: pytest.LogCaptureFixture) -> None:
    update = _telegram_update(900_200, 5_550_200, "/start")
    caplog.set_level(logging.WARNING, logger="bot.app.web.webhooks")
    for _ in range(50):
        assert await hooked.post(TELEGRAM_PATH, update, {TELEGRAM_HEADER: "guess"}) == 403
    assert _counter(hooked, "tocns_errors_total", kind="webhook_secret") == 50
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.app.web.webhooks"]
    assert lines == ["Telegram webhook: 1 call(s) refused (wrong or missing secret) since the "
                     "last such line"]


def test_the_refusal_throttle_reports_what_it_held_back() -> None:
    now = [1000.0]
    throttle = Throttle(60.0, clock=lambda: now[0])
    assert throttle.due() == 1  # the first one is logged at once
    assert [throttle.due() for _ in range(2_999)] == [0] * 2_999
    now[0] += 60.0
    assert throttle.due() == 3_000  # then one line for the lot
    assert throttle.due() == 0
