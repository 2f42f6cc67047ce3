"""getUpdates offsets and long polling, and webhook delivery."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web
from telegram.error import Conflict

from bot.sandbox import SandboxServer
from bot.sandbox.testing import SandboxUser


async def test_offset_confirms_updates(bot, sandbox: SandboxServer) -> None:
    alice = SandboxUser(sandbox, 1001, "Alice")
    for text in ("một", "hai", "ba"):
        await alice.send(text)
    first = await bot.get_updates()
    assert [u.message.text for u in first] == ["một", "hai", "ba"]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == [first[0].update_id,
                                                                     first[1].update_id]
    # Naming an offset forgets everything below it, for good.
    rest = await bot.get_updates(offset=first[1].update_id + 1)
    assert [u.message.text for u in rest] == ["ba"]
    assert [u.message.text for u in await bot.get_updates()] == ["ba"]
    assert await bot.get_updates(offset=rest[0].update_id + 1) == ()


async def test_command_messages_carry_bot_command_entities(bot, sandbox: SandboxServer) -> None:
    await SandboxUser(sandbox, 1001, "Alice").command("join", "ABC123")
    (update,) = await bot.get_updates()
    assert update.message.text == "/join ABC123"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/join")


async def test_long_poll_wakes_up_as_soon_as_a_user_writes(bot, sandbox: SandboxServer) -> None:
    alice = SandboxUser(sandbox, 1001, "Alice")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0)  # let the poll reach the server before Alice writes
    await alice.send("xin chào")
    updates = await poll
    assert [u.message.text for u in updates] == ["xin chào"]
    assert time.monotonic() - started < 1.0


async def test_long_poll_times_out_empty(bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert 0.25 < time.monotonic() - started < 2


async def test_webhook_receives_updates_with_secret(bot, sandbox: SandboxServer) -> None:
    received: asyncio.Queue[tuple[dict, str | None]] = asyncio.Queue()

    async def hook(request: web.Request) -> web.Response:
        received.put_nowait((await request.json(),
                             request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        alice = SandboxUser(sandbox, 1001, "Alice")
        await alice.send("trước")  # pending before the webhook: dropped on request
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret",
                                     drop_pending_updates=True)
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await bot.get_updates()
        await alice.send("sau")
        update, secret = await asyncio.wait_for(received.get(), 5)
        assert update["message"]["text"] == "sau"
        assert secret == "s3cret"
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook")
        assert info.pending_update_count == 0
        assert await bot.delete_webhook()
        await alice.send("lại polling")
        assert [u.message.text for u in await bot.get_updates()] == ["lại polling"]
    finally:
        await runner.cleanup()
