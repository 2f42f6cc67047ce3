"""What the flows see of a chat, whatever the channel (Telegram or Zalo).

Handlers read an :class:`Incoming` and answer with :class:`OutMessage` through a
:class:`ChannelPort`; each channel adapter translates both ways. Zalo has no buttons, so its
adapter renders them as numbered choices and maps a typed number back to the button's data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

ChannelName = Literal["telegram", "zalo"]


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data: at most 64 bytes on Telegram


@dataclass(frozen=True)
class OutFile:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class OutMessage:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    #: Persistent quick-reply keyboard (labels the member taps instead of typing).
    #: ``None`` leaves whatever is shown; an empty tuple removes it.
    menu: tuple[tuple[str, ...], ...] | None = None
    document: OutFile | None = None
    photo: OutFile | None = None
    #: The reader's language, the one ``text`` was written in: a channel adding lines of its
    #: own (Zalo's "reply with a number") writes them in it. None: the default language.
    lang: str | None = None


@dataclass(frozen=True)
class IncomingFile:
    file_ref: str
    filename: str | None
    mime_type: str | None
    size: int | None


@dataclass(frozen=True)
class Incoming:
    channel: ChannelName
    #: Unique per update across re-deliveries, so a repeat is recognised and skipped.
    update_key: str
    chat_id: str
    user_id: str
    display_name: str
    language_code: str | None = None
    private: bool = True
    text: str | None = None
    callback_data: str | None = None
    callback_id: str | None = None
    #: The bot message a pressed button was on, to edit it in place.
    message_ref: str | None = None
    document: IncomingFile | None = None
    photo: IncomingFile | None = None

    @property
    def command(self) -> tuple[str, str] | None:
        """``("start", "ABC123")`` for ``/start@bot ABC123``; None for other text."""
        if not self.text or not self.text.startswith("/"):
            return None
        head, _, rest = self.text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        return (name, rest.strip()) if name else None


@dataclass(frozen=True)
class MenuCommand:
    name: str
    description: str


class ChannelPort(Protocol):
    """What a flow may ask of a channel."""

    name: ChannelName
    supports_buttons: bool

    async def send(self, chat_id: str, message: OutMessage) -> str | None: ...

    async def edit(self, chat_id: str, message_ref: str, message: OutMessage) -> None: ...

    async def answer_button(self, callback_id: str, text: str | None = None) -> None: ...

    async def set_menu(self, chat_id: str, commands: list[MenuCommand]) -> None: ...

    async def interpret(self, inc: Incoming) -> Incoming:
        """What the person meant, read in the chat's order (Zalo: a typed "2" is the second
        button); most channels return ``inc`` as it is."""
        ...

    async def download(self, file: IncomingFile) -> bytes: ...


#: Publishes a picture at a public URL and returns it (Zalo takes photos by URL only).
PhotoHost = Callable[[OutFile], Awaitable[str | None]]


def incoming_to_payload(inc: Incoming) -> dict[str, object]:
    """An update as stored in the inbox, to be handled again after a crash."""
    return dataclasses.asdict(inc)


def incoming_from_payload(payload: dict[str, Any]) -> Incoming:
    fields = dict(payload)
    for name in ("document", "photo"):
        if fields.get(name) is not None:
            fields[name] = IncomingFile(**fields[name])
    return Incoming(**fields)
