"""The bot killed with SIGKILL while it applies a large registry import, then restarted.

An admin sends a 20,000-member registry and presses Confirm; the bot process is killed soon
after, while it writes. The import is one transaction: after the restart the database holds
either all of it or none of it, never a part; when none, the Confirm press — stored in the
inbox, not handled — is carried out by the new process at start-up, exactly once.
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
from bot.core.registry.large_province import generate_registry, registry_csv
from bot.sandbox import SandboxServer
from bot.sandbox.testing import SandboxUser
from storage.db import Database
from tests.app.reliability.bot_process import BotProcess

pytestmark = pytest.mark.long


async def count(path: Path, sql: str) -> int:
    async with Database(path) as db:
        rows = await db.reader.execute_fetchall(sql)
        return int(next(iter(rows))[0])


@pytest.mark.parametrize("kill_after", [0.3, 1.0])
async def test_killed_mid_import_applies_all_or_nothing_then_once(
        demo_database: Path, tmp_path: Path, kill_after: float) -> None:
    db_path = tmp_path / "bot.sqlite3"
    shutil.copy(demo_database, db_path)
    registry = registry_csv(generate_registry("92", teams=2500, members=20000, seed=7))
    async with SandboxServer() as sandbox:
        async with Database(db_path) as db:
            services = make_services(load_settings(DATABASE_PATH=str(db_path)), db)
            (await prepare_demo(services)).introduce_to(sandbox)
        before = await count(db_path, "SELECT COUNT(*) FROM members")
        bot = BotProcess(sandbox, db_path, tmp_path / "bot.log")
        await bot.start()
        try:
            admin = SandboxUser(sandbox, PERSONA_IDS["admin"], "Quản trị")
            await admin.upload("danh-sach.csv", registry, caption="/import", as_document=True,
                               mime_type="text/csv")
            checked = await admin.wait_for(lambda m: "Kiểm tra xong" in m.text, timeout=120)
            await admin.press("✅ Xác nhận nhập", message=checked)
            with contextlib.suppress(TimeoutError):  # let the apply begin, then pull the plug
                await asyncio.wait_for(asyncio.Event().wait(), kill_after)
            await bot.kill()
            after_kill = await count(db_path, "SELECT COUNT(*) FROM members")
            await bot.start()
            if after_kill == before:
                # Killed before it committed: the Confirm press is still in the inbox,
                # received and not handled, so the new process carries it out at start-up.
                await admin.wait_for(lambda m: "Đã nhập danh sách" in m.text, timeout=180)
        finally:
            await bot.stop()
    added = after_kill - before
    final = await count(db_path, "SELECT COUNT(*) FROM members") - before
    assert added in (0, final)      # at the kill: all of it or none of it
    assert final >= 19000           # then applied, once (demo names may coincide)
    doubled = await count(db_path, "SELECT COUNT(*) FROM (SELECT phone FROM members"
                                   " WHERE phone IS NOT NULL GROUP BY phone HAVING COUNT(*) > 1)")
    assert doubled == 0
