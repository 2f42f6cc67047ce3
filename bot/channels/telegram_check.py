"""What ``python -m bot doctor`` asks Telegram: does it take the token, and where does it deliver?

Through python-telegram-bot like the running bot (getMe, getWebhookInfo), with short timeouts;
its errors leave as :class:`~bot.core.chat.ChannelError` (:class:`TokenRefused` for the token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import Bot
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot.channels.telegram import telegram_errors


@dataclass(frozen=True)
class WebhookInfo:
    url: str
    last_error: str | None = None
    last_error_at: datetime | None = None


@dataclass(frozen=True)
class TelegramCheck:
    username: str
    #: None when the token was taken but the webhook could not be read (``webhook_error``).
    webhook: WebhookInfo | None
    webhook_error: str | None = None


async def check_telegram(token: str, base_url: str, timeout: float) -> TelegramCheck:
    """The bot's name and webhook; :class:`ChannelError` when getMe itself fails."""
    request = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout)
    bot = Bot(token, base_url=base_url, request=request)
    try:
        with telegram_errors():
            await bot.initialize()  # getMe
        username = bot.bot.username or "?"  # every bot has one; getMe said so
        try:
            info = await bot.get_webhook_info()
        except TelegramError as exc:
            return TelegramCheck(username, None, type(exc).__name__)
        at = info.last_error_date
        return TelegramCheck(username, WebhookInfo(
            info.url or "", info.last_error_message, at.astimezone(UTC) if at else None))
    finally:
        await bot.shutdown()
