"""Zalo updates are handled for different chats at once (as Telegram's), each chat in order:
the poller stores them, the intake handles them."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.core.chat import Incoming
from tests.harness.zalo_world import ZaloWorld


class _HeldUp:
    """The real dispatcher, except that one chat's updates wait until released (a slow export,
    say): what the intake does with the others meanwhile is what is tested."""

    def __init__(self, inner: Any, chat_id: str) -> None:
        self.inner = inner
        self.chat_id = chat_id
        self.release = asyncio.Event()

    async def dispatch(self, port: Any, inc: Incoming) -> None:
        if inc.chat_id == self.chat_id:
            await self.release.wait()
        await self.inner.dispatch(port, inc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_a_slow_chat_does_not_hold_up_another(zworld: ZaloWorld) -> None:
    intake = zworld.channel.intake
    slow = zworld.stranger("0000000000000000d101")
    quick = zworld.stranger("0000000000000000d102")
    held = _HeldUp(intake.dispatcher, slow.chat_id)
    intake.dispatcher = held  # type: ignore[assignment]
    try:
        await slow.send("/start")
        await quick.send("/start")
        assert "mã mời" in (await quick.next_message()).text  # while the slow one waits
        await slow.refresh()
        assert [m for m in slow.messages if m.from_bot] == []
        held.release.set()
        assert "mã mời" in (await slow.next_message()).text
    finally:
        held.release.set()
        intake.dispatcher = held.inner


async def test_one_chats_messages_are_handled_in_order(zworld: ZaloWorld) -> None:
    visitor = zworld.stranger("0000000000000000d001")
    await visitor.send("/lang")
    await visitor.send("2")  # typed before the list has even arrived
    choices = await visitor.next_message()
    assert choices.choices == ["Tiếng Việt", "English"]
    # "2" was read against the list the /lang answer left, not before it existed.
    assert (await visitor.next_message()).text == zworld.world.services.t("en", "lang.set")
