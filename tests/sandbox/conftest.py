"""Fixtures of the sandbox's own tests only (a bare sandbox, a Bot, an ApplicationBuilder); the
bot's worlds are plugins in tests/harness."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import ApplicationBuilder

from bot.sandbox import SandboxServer
from bot.sandbox.testing import DEFAULT_TOKEN
from tests.harness.ptb import application_builder


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    """A started sandbox Telegram server on 127.0.0.1 (random port), stopped afterwards."""
    server = SandboxServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def bot(sandbox: SandboxServer) -> AsyncIterator[Bot]:
    """A python-telegram-bot ``Bot`` talking to the sandbox."""
    async with Bot(DEFAULT_TOKEN, base_url=sandbox.bot_api_base_url,
                   base_file_url=sandbox.file_base_url) as telegram_bot:
        yield telegram_bot


@pytest.fixture
def app_builder(sandbox: SandboxServer) -> Callable[..., ApplicationBuilder[Any, Any, Any, Any,
                                                                          Any, Any]]:
    """``app_builder()`` → an ApplicationBuilder pointed at the sandbox (add handlers, build)."""

    def build(token: str = DEFAULT_TOKEN) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        return application_builder(sandbox, token)

    return build
