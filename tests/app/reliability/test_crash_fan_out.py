"""The bot killed with SIGKILL in the middle of a broadcast's fan-out, then restarted.

A commune coordinator broadcasts to everyone in the commune; the outbox sender is killed while
it is sending, as a real process, and a new process carries on. Every member gets the
announcement — none lost — and at most the messages in flight at the kill go out twice: the
one window left (a send Telegram accepted, its "sent" mark not yet written), measured here:
at most the sends in hand, 8.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path

import pytest

from bot.app.demo import PERSONA_IDS, prepare_demo
from bot.app.services import make_services
from bot.config import load_settings
from bot.sandbox import SandboxServer
from bot.sandbox.testing import SandboxUser
from storage.db import Database
from storage.repos import Repos
from tests.app.reliability.bot_process import BotProcess

pytestmark = pytest.mark.long

FIRST_ID = 700_000
#: The outbox sender has at most this many sends in hand (Sender(concurrency=8)).
SENDS_IN_FLIGHT = 8
TEXT = "Họp tổ CNS lúc 8h sáng thứ Bảy tại nhà văn hóa ấp."


async def link_commune(path: Path, sandbox: SandboxServer, commune: str) -> list[int]:
    """The demo's personas, and a chat for every member of the commune without one."""
    chats: list[int] = []
    async with Database(path) as db:
        services = make_services(load_settings(DATABASE_PATH=str(path)), db)
        demo = await prepare_demo(services)
        demo.introduce_to(sandbox)
        async with db.write() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT m.id, m.full_name FROM members m JOIN teams t ON t.id = m.team_id"
                " WHERE m.active AND t.commune_code = ? AND NOT EXISTS"
                " (SELECT 1 FROM identities i WHERE i.member_id = m.id) ORDER BY m.id",
                (commune,)))
            for member_id, name in rows:
                chat = FIRST_ID + member_id
                await Repos(conn).access.link(channel="telegram", external_id=str(chat),
                                              chat_id=str(chat), member_id=member_id,
                                              now=services.clock())
                sandbox.add_person(chat, name)
                chats.append(chat)
    return chats


def received(sandbox: SandboxServer, chat: int) -> int:
    messages = sandbox.state.messages.get(chat, {}).values()
    return sum(1 for m in messages if m["from"]["is_bot"] and TEXT in m.get("text", ""))


async def test_killed_mid_fan_out_every_member_gets_the_broadcast(
        demo_database: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(demo_database, db_path)
    async with SandboxServer() as sandbox:
        chats = await link_commune(db_path, sandbox, "31441")
        # A slow sender, so that the kill lands in the middle of the fan-out.
        bot = BotProcess(sandbox, db_path, tmp_path / "bot.log", SEND_RATE_PER_SECOND="15")
        await bot.start()
        try:
            sender = SandboxUser(sandbox, PERSONA_IDS["commune_coordinator"], "Điều phối xã")
            await sender.command("broadcast")
            await sender.next_message(timeout=60)
            await sender.press("🏘️ Cả Xã Vị Thủy")
            await sender.next_message(timeout=30)
            await sender.send(TEXT)
            preview = await sender.next_message(timeout=30)
            await sender.press(next(b for b in preview.buttons if b.startswith("📣 Gửi cho")))
            for _ in range(600):  # until a third of the members have it
                if sum(received(sandbox, c) for c in chats) >= len(chats) // 3:
                    break
                bot.check_alive()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.Event().wait(), 0.1)
            at_kill = sum(received(sandbox, c) for c in chats)
            await bot.kill()
            await bot.start()
            for _ in range(1200):
                if all(received(sandbox, c) for c in chats):
                    break
                bot.check_alive()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.Event().wait(), 0.1)
        finally:
            await bot.stop()
        counts = [received(sandbox, c) for c in chats]
    assert 0 < at_kill < len(chats), "the kill did not land in the middle of the fan-out"
    assert min(counts) == 1                      # nobody left out
    doubled = sum(1 for n in counts if n > 1)
    assert max(counts) <= 2                      # only what was in flight at the kill:
    assert doubled <= SENDS_IN_FLIGHT             # at most the sender's sends in hand
    print(f"fan-out of {len(chats)}: killed after {at_kill}; 0 lost, {doubled} doubled")
