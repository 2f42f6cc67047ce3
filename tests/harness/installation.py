"""An installation as an operator has it: a migrated database in a data folder, its backups,
and the platforms (the sandbox's Telegram and Zalo Bot APIs) that the tokens talk to; ``python -m
bot`` run as the operator runs it. A pytest plugin (see tests/conftest.py): ask for
``installation``."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.sandbox import SandboxServer
from storage.db import Database

ROOT = Path(__file__).resolve().parents[2]
TELEGRAM_TOKEN = "4200000001:doctor-test-telegram-token"
ZALO_TOKEN = "4200000002:doctor-test-zalo-token"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@dataclass
class Installation:
    root: Path
    platform: SandboxServer

    @property
    def database(self) -> Path:
        return self.root / "data" / "tocns.sqlite3"

    @property
    def backups(self) -> Path:
        return self.root / "data" / "backups"

    def env(self, **extra: str) -> dict[str, str]:
        return {"DATABASE_PATH": str(self.database),
                "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
                "TELEGRAM_API_BASE_URL": self.platform.bot_api_base_url,
                "ZALO_BOT_TOKEN": ZALO_TOKEN,
                "ZALO_API_BASE_URL": self.platform.zalo_api_base_url,
                **extra}

    def settings(self, **extra: str) -> Settings:
        return load_settings(**self.env(**extra))


@pytest.fixture
async def installation(tmp_path: Path) -> AsyncIterator[Installation]:
    async with SandboxServer() as platform:
        found = Installation(tmp_path, platform)
        async with Database(found.database):
            pass  # created and migrated, as the first start does
        yield found


async def run_cli(*args: str, env: dict[str, str], cwd: Path,
                  timeout: float = 120) -> tuple[int, str, str]:
    """``python -m bot ARGS`` in a child process while this loop keeps serving the sandbox."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_", "BACKUP_", "LOG_", "WEB_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
