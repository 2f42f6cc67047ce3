"""The Telegram channel: python-telegram-bot in, the shared flows, python-telegram-bot out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.retry import with_retries
from bot.core.chat import (
    ChannelError,
    ChannelName,
    Failure,
    Incoming,
    IncomingFile,
    MenuCommand,
    OutMessage,
    TokenRefused,
)

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
#: The updates the flows use (others are not even fetched).
ALLOWED_UPDATES = ["message", "callback_query"]

#: Pauses between attempts of a call that failed on the way (a 5xx, a dropped connection):
#: bounded, so a person waits seconds, not minutes. 429 is the rate limiter's business.
RETRY_DELAYS = (0.3, 1.0, 2.0, 4.0)

_T = TypeVar("_T")


def channel_error(exc: TelegramError) -> ChannelError:
    """What python-telegram-bot's error means, in the channel-neutral terms of the app."""
    reason = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, InvalidToken):
        # Never the exception's text: python-telegram-bot puts the token in it.
        return TokenRefused("InvalidToken", channel="telegram")
    if isinstance(exc, RetryAfter):
        after = getattr(exc, "_retry_after", None)  # a timedelta, whatever PTB_TIMEDELTA says
        seconds = after.total_seconds() if isinstance(after, timedelta) else 1.0
        return ChannelError(Failure.RATE_LIMITED, reason, wait=seconds, code=429,
                            channel="telegram")
    # BadRequest is a NetworkError to python-telegram-bot: it is sorted out first.
    if isinstance(exc, Forbidden | BadRequest | ChatMigrated | EndPointNotFound):
        return ChannelError(Failure.FINAL, reason, channel="telegram")
    if isinstance(exc, NetworkError):
        # A timeout may come after the request went out: it may have been carried out.
        return ChannelError(Failure.TRANSIENT, reason, maybe_done=isinstance(exc, TimedOut),
                            channel="telegram")
    return ChannelError(Failure.FINAL, reason, channel="telegram")


@contextmanager
def telegram_errors() -> Iterator[None]:
    """Inside the block, python-telegram-bot's errors leave as :class:`ChannelError`."""
    try:
        yield
    except TelegramError as exc:
        raise channel_error(exc) from exc


async def call_telegram(call: Callable[[], Awaitable[_T]], *, idempotent: bool,
                        delays: tuple[float, ...] = RETRY_DELAYS) -> _T:
    """``call()`` with the channels' retry rule (:mod:`bot.channels.retry`), its failures
    translated: a new message is not sent again after a timeout, an edit is."""

    async def translated() -> _T:
        with telegram_errors():
            return await call()

    return await with_retries(translated, delays=delays, idempotent=idempotent,
                              what="Telegram call")


async def fetch_updates(bot: Bot, offset: int | None, timeout: int
                        ) -> tuple[list[Incoming], int | None]:
    """One long poll: the updates the flows handle, and the offset that acknowledges them
    (None when nothing came). Not retried here: the poll loop backs off."""
    with telegram_errors():
        updates = await bot.get_updates(offset=offset, timeout=timeout,
                                        allowed_updates=ALLOWED_UPDATES)
    if not updates:
        return [], None
    batch = [inc for update in updates if (inc := to_incoming(update)) is not None]
    return batch, updates[-1].update_id + 1


class TelegramPort:
    name: ChannelName = "telegram"
    supports_buttons = True

    def __init__(self, bot: Bot, *, retry_delays: tuple[float, ...] = RETRY_DELAYS) -> None:
        self.bot = bot
        self.retry_delays = retry_delays

    async def interpret(self, inc: Incoming) -> Incoming:
        return inc  # buttons are real buttons: nothing to read into the text

    async def send(self, chat_id: str, message: OutMessage) -> str | None:
        sent = await call_telegram(lambda: self._send(chat_id, message), idempotent=False,
                                  delays=self.retry_delays)
        return str(sent.message_id)

    async def _send(self, chat_id: str, message: OutMessage) -> Message:
        markup = _markup(message)
        sent: Message
        if message.document is not None:
            sent = await self.bot.send_document(
                int(chat_id), InputFile(message.document.content,
                                        filename=message.document.filename),
                caption=message.text[:CAPTION_LIMIT] or None, reply_markup=markup,
            )
        elif message.photo is not None:
            sent = await self.bot.send_photo(
                int(chat_id), InputFile(message.photo.content, filename=message.photo.filename),
                caption=message.text[:CAPTION_LIMIT] or None, reply_markup=markup,
            )
        else:
            sent = await self.bot.send_message(int(chat_id), message.text, reply_markup=markup)
        return sent

    async def edit(self, chat_id: str, message_ref: str, message: OutMessage) -> None:
        markup = _inline(message)
        try:
            await call_telegram(lambda: self.bot.edit_message_text(
                message.text, chat_id=int(chat_id), message_id=int(message_ref),
                reply_markup=markup), idempotent=True, delays=self.retry_delays)
        except ChannelError as exc:
            # A double tap edits to the same content: Telegram says so, and that is fine.
            if not _not_modified(exc):
                raise

    async def answer_button(self, callback_id: str, text: str | None = None) -> None:
        await call_telegram(lambda: self.bot.answer_callback_query(callback_id, text=text),
                           idempotent=True, delays=self.retry_delays)

    async def set_menu(self, chat_id: str, commands: list[MenuCommand]) -> None:
        await call_telegram(lambda: self.bot.set_my_commands(
            [BotCommand(c.name, c.description[:256]) for c in commands],
            scope=BotCommandScopeChat(int(chat_id)),
        ), idempotent=True, delays=self.retry_delays)

    async def download(self, file: IncomingFile) -> bytes:
        async def fetch() -> bytes:
            handle = await self.bot.get_file(file.file_ref)
            return bytes(await handle.download_as_bytearray())

        return await call_telegram(fetch, idempotent=True, delays=self.retry_delays)


def _not_modified(error: ChannelError) -> bool:
    cause = error.__cause__
    return isinstance(cause, BadRequest) and "not modified" in cause.message.lower()


def _inline(message: OutMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
         for row in message.buttons]
    )


def _markup(message: OutMessage) -> Any:
    if message.buttons:
        return _inline(message)
    if message.menu is None:
        return None
    if not message.menu:
        return ReplyKeyboardRemove()
    return ReplyKeyboardMarkup([list(row) for row in message.menu], resize_keyboard=True,
                               is_persistent=True)


def incoming_from_json(body: dict[str, Any]) -> Incoming | None:
    """An update as Telegram POSTs it to the webhook, read as :func:`to_incoming` reads it."""
    return to_incoming(Update.de_json(body, None))


def to_incoming(update: Update) -> Incoming | None:
    """The channel-neutral view of an update; None for updates the bot does not handle."""
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message else None
        return Incoming(
            channel="telegram",
            update_key=f"cb:{query.id}",
            chat_id=str(chat.id if chat else query.from_user.id),
            user_id=str(query.from_user.id),
            display_name=query.from_user.full_name,
            language_code=query.from_user.language_code,
            private=chat is None or chat.type == ChatType.PRIVATE,
            callback_data=query.data or "",
            callback_id=query.id,
            message_ref=str(query.message.message_id) if query.message else None,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    document = photo = None
    if message.document is not None:
        document = IncomingFile(message.document.file_id, message.document.file_name,
                                message.document.mime_type, message.document.file_size)
    if message.photo:
        biggest = message.photo[-1]
        photo = IncomingFile(biggest.file_id, None, "image/jpeg", biggest.file_size)
    return Incoming(
        channel="telegram",
        # Message ids are unique per chat; the date guards against a server that restarted ids.
        update_key=f"m:{message.chat.id}:{message.message_id}:{int(message.date.timestamp())}",
        chat_id=str(message.chat.id),
        user_id=str(message.from_user.id),
        display_name=message.from_user.full_name,
        language_code=message.from_user.language_code,
        private=message.chat.type == ChatType.PRIVATE,
        text=message.text if message.text is not None else message.caption,
        document=document,
        photo=photo,
    )
