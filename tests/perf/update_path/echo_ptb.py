"""A bare python-telegram-bot echo bot: the reference for the bot's cost per update.

Stock settings but ``concurrent_updates=32`` (as this bot uses) and the same polling as this
bot (no pause between polls). Run by the benchmark: ``TELEGRAM_BOT_TOKEN`` and
``TELEGRAM_API_BASE_URL`` (``…/bot``) point it at the benchmark's server.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def main() -> None:
    app = (Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"])
           .base_url(os.environ["TELEGRAM_API_BASE_URL"]).concurrent_updates(32).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=25)


if __name__ == "__main__":
    main()
