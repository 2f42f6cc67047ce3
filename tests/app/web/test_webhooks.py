"""Both channels by webhook: the platform POSTs each update with the secret; anyone else is
refused with 403 and changes nothing; a repeated delivery is handled once."""

from __future__ import annotations

import time
from typing import Any

from bot.app.web.webhooks import TELEGRAM_HEADER, TELEGRAM_PATH, ZALO_HEADER, ZALO_PATH
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
