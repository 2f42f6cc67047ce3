"""The bot as a real process against the sandbox: started, killed with SIGKILL, restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.app.run import SANDBOX_TOKEN
from bot.sandbox import SandboxServer


class BotProcess:
    def __init__(self, sandbox: SandboxServer, database: Path, log: Path,
                 **settings: str) -> None:
        self.sandbox = sandbox
        self.database = database
        self.log = log
        self.settings = settings
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.endswith("_BOT_TOKEN") and k not in {"WEB_BASE_URL"}}
        env.update({
            "TELEGRAM_BOT_TOKEN": SANDBOX_TOKEN,
            "TELEGRAM_API_BASE_URL": self.sandbox.bot_api_base_url,
            "DATABASE_PATH": str(self.database),
            "QUIET_HOURS": "00:00-00:00",
            "LOG_LEVEL": "INFO",
            **self.settings,
        })
        return env

    async def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=self._env(),
            stdout=self.log.open("ab"), stderr=asyncio.subprocess.STDOUT)

    def check_alive(self) -> None:
        """A bot that exited by itself is a failure of its own; say why instead of waiting."""
        if self.process is not None and self.process.returncode is not None:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise AssertionError(f"the bot exited with {self.process.returncode}:\n{tail}")

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as a power cut or the OOM killer."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
