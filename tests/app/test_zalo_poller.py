"""The Zalo poller handles different chats at once (as Telegram does), each chat in order."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.app.zalo_poller import ZaloPoller
from tests.harness.zalo_world import ZaloWorld


class _OneByOne:
    """A Zalo API that hands out the given updates, then waits (a long poll with nothing new)."""

    def __init__(self, updates: list[dict[str, Any]]) -> None:
        self.updates = updates
        self.idle = asyncio.Event()  # never set: stop() cancels the idle poll

    async def get_update(self, timeout: int) -> dict[str, Any] | None:
        if self.updates:
            return self.updates.pop(0)
        await self.idle.wait()
        return None


async def test_a_slow_chat_does_not_hold_up_another() -> None:
    release_slow = asyncio.Event()
    quick_done = asyncio.Event()
    order: list[str] = []

    async def handle(update: dict[str, Any]) -> None:
        if update["chat"] == "slow":
            await release_slow.wait()  # an export taking its time
        else:
            quick_done.set()
        order.append(update["chat"])

    api = _OneByOne([{"chat": "slow"}, {"chat": "quick"}])
    poller = ZaloPoller(api, handle)  # type: ignore[arg-type]
    poller.start()
    try:
        await asyncio.wait_for(quick_done.wait(), 5)
        assert order == ["quick"]  # answered while the slow one is still being handled
    finally:
        release_slow.set()
        await poller.stop()  # waits for the update in hand
    assert order == ["quick", "slow"]


async def test_one_chats_messages_are_handled_in_order(zworld: ZaloWorld) -> None:
    visitor = zworld.stranger("0000000000000000d001")
    await visitor.send("/lang")
    await visitor.send("2")  # typed before the list has even arrived
    choices = await visitor.next_message()
    assert choices.choices == ["Tiếng Việt", "English"]
    # "2" was read against the list the /lang answer left, not before it existed.
    assert (await visitor.next_message()).text == zworld.world.services.t("en", "lang.set")
