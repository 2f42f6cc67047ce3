"""The Telegram channel: updates read from the Bot API's JSON, the shared flows,
python-telegram-bot out.

On the receiving path only a dozen fields of an update are used. python-telegram-bot's object
model (``Update.de_json``: an ``Update``, a ``Message``, a ``Chat``, two ``User`` objects, each
attribute set through a guarded ``__setattr__``) was the largest single cost of a polled batch,
so updates are read straight from the JSON (:func:`to_incoming`). For the same reason the text
sends and edits of the update path take the ``message_id`` from the JSON answer rather than a
parsed ``Message``. Both still go through python-telegram-bot's request, rate limiter, defaults
and error translation (``Bot._post``, the call its own methods make).
"""

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
)
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

#: The long poll's read timeout is its ``timeout`` plus this (python-telegram-bot adds the
#: request's own read timeout in the same way).
POLL_READ_MARGIN_S = 5.0

#: Pauses between attempts of a call that failed on the way (a 5xx, a dropped connection):
#: bounded, so a person waits seconds, not minutes (15 s at worst). Six tries, not five: on a
#: patchy line that fails one call in six, five failures in a row still lost an answer in one
#: run of ~300 calls in thirty. 429 is the rate limiter's business.
RETRY_DELAYS = (0.3, 1.0, 2.0, 4.0, 8.0)

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


async def api_call(bot: Bot, method: str, data: dict[str, Any], *,
                   read_timeout: float | None = None) -> Any:
    """One Bot API call through python-telegram-bot's request, rate limiter and errors, its
    answer as JSON (no object model built: see the module's docstring)."""
    if read_timeout is None:
        return await bot._post(method, data)
    return await bot._post(method, data, read_timeout=read_timeout)


async def fetch_updates(bot: Bot, offset: int | None, timeout: int
                        ) -> tuple[list[Incoming], int | None]:
    """One long poll: the updates the flows handle, and the offset that acknowledges them
    (None when nothing came). Not retried here: the poll loop backs off."""
    with telegram_errors():
        updates = await api_call(bot, "getUpdates", {
            "offset": offset, "timeout": timeout, "allowed_updates": ALLOWED_UPDATES,
        }, read_timeout=timeout + POLL_READ_MARGIN_S)
    if not isinstance(updates, list):
        raise ChannelError(Failure.TRANSIENT, "getUpdates: not a list", channel="telegram")
    if not updates:
        return [], None
    batch: list[Incoming] = []
    for update in updates:
        try:
            inc = to_incoming(update)
        except MalformedUpdate as exc:
            # Acknowledged with the rest (the next offset) rather than fetched again forever.
            log.warning("a malformed Telegram update was skipped (%s)", exc)
            continue
        if inc is not None:
            batch.append(inc)
    try:
        last = _int(updates[-1], "update_id")
    except MalformedUpdate as exc:
        raise ChannelError(Failure.TRANSIENT, f"getUpdates: {exc}", channel="telegram") from exc
    return batch, last + 1


class TelegramPort:
    name: ChannelName = "telegram"
    supports_buttons = True

    def __init__(self, bot: Bot, *, retry_delays: tuple[float, ...] = RETRY_DELAYS) -> None:
        self.bot = bot
        self.retry_delays = retry_delays

    async def interpret(self, inc: Incoming) -> Incoming:
        return inc  # buttons are real buttons: nothing to read into the text

    async def send(self, chat_id: str, message: OutMessage) -> str | None:
        return str(await call_telegram(lambda: self._send(chat_id, message), idempotent=False,
                                       delays=self.retry_delays))

    async def _send(self, chat_id: str, message: OutMessage) -> int:
        """The message sent; its id."""
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
        else:  # the update path's answers: the id read from the JSON answer
            answer = await api_call(self.bot, "sendMessage", {
                "chat_id": int(chat_id), "text": message.text, "reply_markup": markup})
            return _int(answer, "message_id")
        return sent.message_id

    async def edit(self, chat_id: str, message_ref: str, message: OutMessage) -> None:
        markup = _inline(message)
        try:
            await call_telegram(lambda: api_call(self.bot, "editMessageText", {
                "chat_id": int(chat_id), "message_id": int(message_ref),
                "text": message.text, "reply_markup": markup,
            }), idempotent=True, delays=self.retry_delays)
        except ChannelError as exc:
            # A double tap edits to the same content: Telegram says so, and that is fine.
            if not _not_modified(exc):
                raise

    async def answer_button(self, callback_id: str, text: str | None = None) -> None:
        await call_telegram(lambda: api_call(self.bot, "answerCallbackQuery", {
            "callback_query_id": callback_id, "text": text,
        }), idempotent=True, delays=self.retry_delays)

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


class MalformedUpdate(ValueError):
    """An update that is not what the Bot API sends (a field missing or of the wrong type)."""


def incoming_from_json(body: dict[str, Any]) -> Incoming | None:
    """An update as Telegram POSTs it to the webhook (:class:`MalformedUpdate` if it is not
    one), read as a polled one is."""
    return to_incoming(body)


def to_incoming(update: Any) -> Incoming | None:
    """The channel-neutral view of an update, read from its JSON; None for updates the bot
    does not handle."""
    if not isinstance(update, dict):
        raise MalformedUpdate("not an object")
    _int(update, "update_id")
    query = _object(update, "callback_query")
    if query is not None:
        sender = _required(query, "from")
        answered = _object(query, "message")  # absent for a press on an inline-mode message
        chat = _required(answered, "chat") if answered is not None else None
        callback_id = _str(query, "id")
        return Incoming(
            channel="telegram",
            update_key=f"cb:{callback_id}",
            chat_id=str(_int(chat, "id") if chat is not None else _int(sender, "id")),
            user_id=str(_int(sender, "id")),
            display_name=_full_name(sender),
            language_code=_optional_str(sender, "language_code"),
            private=chat is None or chat.get("type") == "private",
            callback_data=_optional_str(query, "data") or "",
            callback_id=callback_id,
            message_ref=str(_int(answered, "message_id")) if answered is not None else None,
        )
    message = _object(update, "message")
    if message is None:
        return None
    author = _object(message, "from")
    if author is None:
        return None
    chat = _required(message, "chat")
    document = photo = None
    sent_document = _object(message, "document")
    if sent_document is not None:
        document = IncomingFile(_str(sent_document, "file_id"),
                                _optional_str(sent_document, "file_name"),
                                _optional_str(sent_document, "mime_type"),
                                _optional_int(sent_document, "file_size"))
    sizes = message.get("photo")
    if sizes:
        if not isinstance(sizes, list) or not isinstance(sizes[-1], dict):
            raise MalformedUpdate("photo")
        biggest = sizes[-1]  # Telegram lists the sizes smallest first
        photo = IncomingFile(_str(biggest, "file_id"), None, "image/jpeg",
                             _optional_int(biggest, "file_size"))
    text = _optional_str(message, "text")
    chat_id = _int(chat, "id")
    return Incoming(
        channel="telegram",
        # Message ids are unique per chat; the date guards against a server that restarted ids.
        update_key=f"m:{chat_id}:{_int(message, 'message_id')}:{_date(message)}",
        chat_id=str(chat_id),
        user_id=str(_int(author, "id")),
        display_name=_full_name(author),
        language_code=_optional_str(author, "language_code"),
        private=chat.get("type") == "private",
        text=text if text is not None else _optional_str(message, "caption"),
        document=document,
        photo=photo,
    )


#: The latest date (Unix seconds) an update may carry: year 9999, as far as Python's dates go.
_LAST_DATE = 253_402_300_799


def _date(message: dict[str, Any]) -> int:
    date = _int(message, "date")
    if not 0 <= date <= _LAST_DATE:
        raise MalformedUpdate("date")
    return date


def _full_name(user: dict[str, Any]) -> str:
    """As python-telegram-bot's ``User.full_name``: the first name, then the last if any."""
    first, last = _str(user, "first_name"), _optional_str(user, "last_name")
    return f"{first} {last}" if last else first


def _object(parent: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = parent.get(key)
    if value is not None and not isinstance(value, dict):
        raise MalformedUpdate(key)
    return value


def _required(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = _object(parent, key)
    if value is None:
        raise MalformedUpdate(key)
    return value


def _int(parent: Any, key: str) -> int:
    value = parent.get(key) if isinstance(parent, dict) else None
    if type(value) is not int:  # not a bool, a float or a string
        raise MalformedUpdate(key)
    return value


def _optional_int(parent: dict[str, Any], key: str) -> int | None:
    return None if parent.get(key) is None else _int(parent, key)


def _str(parent: dict[str, Any], key: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str):
        raise MalformedUpdate(key)
    return value


def _optional_str(parent: dict[str, Any], key: str) -> str | None:
    return None if parent.get(key) is None else _str(parent, key)
