"""The README's first command on a fresh database: the sandbox starts and prints a working page."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from pathlib import Path

import aiohttp

from bot.sandbox import SandboxUser

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_python_m_bot_with_no_token_serves_the_demo(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(tmp_path / "d.sqlite3"),
           "SANDBOX_PORT": str(port), "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": ""}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    try:
        assert process.stdout is not None
        address = None
        async with asyncio.timeout(90):
            while address is None:
                line = (await process.stdout.readline()).decode()
                assert line, "the bot exited before printing the page's address"
                found = re.search(r"Sandbox chat: (http://\S+)", line)
                address = found[1] if found else None
        assert address == f"http://127.0.0.1:{port}/"
        async with aiohttp.ClientSession() as session:
            async with session.get(address) as page:
                assert page.status == 200
                assert "<html" in (await page.text()).lower()
            async with session.get(address + "sandbox/api/people") as people:
                roles = {p["role_label"] for p in (await people.json())["people"]}
            assert {"Thành viên", "Tổ trưởng", "Quản trị viên"} <= roles
            member = SandboxUser(address, 9005, "Nguyễn Thị Mai", session=session)
            await member.send("/me")
            profile = await member.next_message(timeout=15)
            assert "Nguyễn Thị Mai" in profile.text
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode in (0, -15)
