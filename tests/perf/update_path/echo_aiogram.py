"""A bare aiogram 3 echo bot: the fast reference (aiogram is a bench-only dependency).

Stock settings (updates handled as concurrent tasks, aiohttp session). Run by the benchmark:
``TELEGRAM_BOT_TOKEN`` and ``BENCH_API_URL`` (the server root) point it at its server.
"""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def echo(message: Message) -> None:
    if message.text is not None:
        await message.answer(message.text)


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BENCH_API_URL"]))
    bot = Bot(os.environ["TELEGRAM_BOT_TOKEN"], session=session)
    dispatcher = Dispatcher()
    dispatcher.message.register(echo)
    await dispatcher.start_polling(bot, polling_timeout=25, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
