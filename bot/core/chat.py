"""What the flows see of a chat, whatever the channel (Telegram or Zalo).

Handlers read an :class:`Incoming` and answer with :class:`OutMessage` through a
:class:`ChannelPort`; each channel adapter translates both ways. Zalo has no buttons, so its
adapter renders them as numbered choices and maps a typed number back to the button's data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
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


class Failure(Enum):
    """What a failed call to a channel means for whoever asked."""

    #: Retrying cannot help: the person blocked the bot, the request was refused, bad token.
    FINAL = "final"
    #: It may work later: a 5xx answer, a dropped or timed-out connection.
    TRANSIENT = "transient"
    #: The platform asks us to slow down: try again after ``wait`` seconds.
    RATE_LIMITED = "rate_limited"


class ChannelError(Exception):
    """The one error a channel port raises: each adapter translates its library's errors into
    it, so the app decides about retries without knowing any channel library."""

    def __init__(self, failure: Failure, reason: str, *, wait: float = 0.0,
                 code: int | None = None, maybe_done: bool = False,
                 channel: ChannelName | None = None) -> None:
        super().__init__(reason)
        self.failure = failure
        #: Which channel failed (start-up errors name the setting to check).
        self.channel = channel
        #: For logs and the outbox row: the platform's own words (never a token).
        self.reason = reason[:300]
        #: Seconds to wait before the next try (rate limited).
        self.wait = wait
        #: The platform's HTTP-like code, when it gave one.
        self.code = code
        #: The request may have reached the platform before it failed (a timeout after it was
        #: sent): repeating a new message could deliver it twice; repeating an edit cannot.
        self.maybe_done = maybe_done


class TokenRefused(ChannelError):
    """The platform does not accept the bot's token (start-up, the doctor)."""

    def __init__(self, reason: str, *, code: int | None = None,
                 channel: ChannelName | None = None) -> None:
        super().__init__(Failure.FINAL, reason, code=code, channel=channel)


class WrongAddress(ChannelError):
    """The configured address answered, but not as the platform's Bot API does (a web page
    where the API should be): the address is at fault, not the token."""

    def __init__(self, failure: Failure, reason: str, *, code: int, answer: str,
                 wait: float = 0.0, channel: ChannelName | None = None) -> None:
        super().__init__(failure, reason, code=code, wait=wait, channel=channel)
        #: What the address answered instead (its status line).
        self.answer = answer


class ChannelPort(Protocol):
    """What a flow may ask of a channel; every failure is a :class:`ChannelError`."""

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
    """An update as stored in the inbox, to be handled again after a crash: what
    ``dataclasses.asdict`` gives, without its deep copy of every field (a tenth of an outage's
    fetching, where each batch of 100 is stored before the next is asked for)."""
    payload: dict[str, object] = dict(vars(inc))
    for name in ("document", "photo"):
        file = payload[name]
        if file is not None:
            payload[name] = dict(vars(file))
    return payload


def incoming_from_payload(payload: dict[str, Any]) -> Incoming:
    fields = dict(payload)
    for name in ("document", "photo"):
        if fields.get(name) is not None:
            fields[name] = IncomingFile(**fields[name])
    return Incoming(**fields)
