"""The Zalo channel: Zalo Bot API updates in, the shared flows, plain-text messages out.

What Zalo lacks is made up for in text (see ``zalo_text``): buttons become a numbered list and
a typed number presses the button; the reply keyboard becomes a hint line listing what can be
typed, shown when it changes; there is no editing (an edit is a new message), no documents and
photos go by public URL only: both are published as file links of the bot's web server (a
document becomes a download link with its expiry); without a public address a document's
caption says where to get the file instead.

The port is an adapter to the Zalo Bot API and nothing more: the reader's language comes with
each message (``OutMessage.lang``), and what a chat was offered is kept by the
:class:`ChoiceMemory` the app hands it (``bot.app.zalo_choices``, over the database).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from bot.channels.zalo_api import ZaloApi
from bot.channels.zalo_text import Offered, Options, interpret, may_be_a_choice, split_text
from bot.core.chat import (
    ChannelName,
    Incoming,
    IncomingFile,
    MenuCommand,
    OutFile,
    OutMessage,
)
from bot.core.i18n import Translator

log = logging.getLogger(__name__)


class PublicLink(Protocol):
    """Where a published file can be fetched, and until when."""

    @property
    def url(self) -> str: ...

    @property
    def expires_at(self) -> datetime: ...


class FileHost(Protocol):
    """Publishes a file and gives its public link (None: no public address to offer)."""

    async def publish(self, file: OutFile, purpose: str) -> PublicLink | None: ...


class ChoiceMemory(Protocol):
    """What each chat was last offered, kept between messages: a "2" typed later (after a
    restart too) must find the choice it stands for. The app keeps it in the database."""

    async def recall(self, chat_id: str) -> Offered: ...

    async def remember(self, chat_id: str, options: Options | None,
                       menu: tuple[str, ...] | None) -> None:
        """The newest message's choices (None: it offers none) and, unless ``menu`` is None
        (the message leaves them as they are), its quick replies."""


TEXT_EVENT = "message.text.received"
IMAGE_EVENT = "message.image.received"


class UnsupportedOnZalo(Exception):
    """A file the Zalo Bot API cannot hand over (documents)."""


class ZaloPort:
    name: ChannelName = "zalo"
    supports_buttons = False

    def __init__(self, api: ZaloApi, *, choices: ChoiceMemory, t: Translator,
                 default_language: str, files: FileHost | None = None,
                 tz: tzinfo = UTC) -> None:
        self.api = api
        self.choices = choices
        self.t = t
        self.default_language = default_language
        self.files = files
        self.tz = tz

    async def interpret(self, inc: Incoming) -> Incoming:
        if not may_be_a_choice(inc):
            return inc  # a command or a photo: no need to recall anything
        return interpret(await self.choices.recall(inc.chat_id), inc)

    async def send(self, chat_id: str, message: OutMessage) -> str | None:
        # The lines added here are in the language the flows wrote the text in.
        lang = message.lang or self.default_language
        parts = [message.text.strip("\n")] if message.text.strip() else []
        if message.document is not None:
            parts.append(await self._document_line(lang, message.document))
        menu = _labels(message.menu) if message.menu is not None else None
        options = Options.of(message.buttons) if message.buttons else None
        before = await self.choices.recall(chat_id)
        new_menu = menu is not None and menu != before.menu
        if new_menu or options != before.options:
            # Before sending: a quick "1" must find its options. (Most messages change nothing
            # here — a broadcast costs no writes.)
            await self.choices.remember(chat_id, options, menu if new_menu else None)
        if new_menu and menu:
            parts.append(self.t(lang, "zalo.menu_hint", labels=" · ".join(menu)))
        if options is not None:
            hint = "zalo.choose_number" if options.numbered else "zalo.choose_value"
            parts.append(options.render(self.t(lang, hint)))
        pieces = split_text("\n\n".join(parts))
        sent: dict[str, Any] | None = None
        if message.photo is not None:
            link = await self.files.publish(message.photo, "photo") if self.files else None
            if link is not None:
                sent = await self.api.send_photo(chat_id, link.url,
                                                 pieces.pop(0) if pieces else "")
            elif not pieces:
                pieces = [self.t(lang, "zalo.photo_unavailable")]
        for piece in pieces:
            sent = await self.api.send_message(chat_id, piece)
        return str(sent.get("message_id")) if sent and sent.get("message_id") else None

    async def _document_line(self, lang: str, document: OutFile) -> str:
        """Zalo carries no documents: a download link with its expiry, or where to get it."""
        link = await self.files.publish(document, "document") if self.files else None
        if link is None:
            return self.t(lang, "zalo.document_unavailable", filename=document.filename)
        return self.t(lang, "zalo.document_link", filename=document.filename, url=link.url,
                      expires=self.t.datetime(lang, link.expires_at.astimezone(self.tz)))

    async def edit(self, chat_id: str, message_ref: str, message: OutMessage) -> None:
        # Zalo cannot edit: the new state goes out as a new message (and renumbers choices).
        await self.send(chat_id, message)

    async def answer_button(self, callback_id: str, text: str | None = None) -> None:
        return None  # no buttons, nothing to acknowledge

    async def set_menu(self, chat_id: str, commands: list[MenuCommand]) -> None:
        return None  # no command menu on Zalo; /help lists the commands

    async def download(self, file: IncomingFile) -> bytes:
        if not file.file_ref.startswith(("http://", "https://")):
            raise UnsupportedOnZalo("only photos (by URL) come from Zalo")
        return await self.api.download(file.file_ref)


def _labels(menu: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    return tuple(label for row in menu for label in row)


def to_incoming(update: dict[str, Any]) -> Incoming | None:
    """The channel-neutral view of a Zalo update; None for what is not a person's message.

    Stickers and other kinds arrive with no text, so they take the flows' ordinary
    "not understood" path and the person is told what to do.
    """
    event = str(update.get("event_name") or "")
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = _object(message.get("chat"))
    sender = _object(message.get("from"))
    user_id = str(sender.get("id") or chat.get("id") or "")
    chat_id = str(chat.get("id") or user_id)
    message_id = str(message.get("message_id") or "")
    if not user_id or not message_id or sender.get("is_bot"):
        return None
    text: str | None = None
    photo: IncomingFile | None = None
    if event == TEXT_EVENT:
        text = str(message.get("text") or "")
    elif event == IMAGE_EVENT:
        url = message.get("photo_url") or message.get("photo")
        if isinstance(url, str) and url:
            photo = IncomingFile(url, None, "image/jpeg", None)
        caption = message.get("caption")
        text = str(caption) if caption else None
    return Incoming(
        channel="zalo",
        update_key=f"{event}:{message_id}",
        chat_id=chat_id,
        user_id=user_id,
        display_name=str(sender.get("display_name") or ""),
        private=str(chat.get("chat_type") or "PRIVATE").upper() != "GROUP",
        text=text,
        photo=photo,
    )


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
