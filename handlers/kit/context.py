"""What every handler gets: the services, the channel, the update, and who is asking."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol

from bot.config import Settings
from bot.core.calendar import local_today
from bot.core.callback_data import Press
from bot.core.chat import Button, ChannelPort, Incoming, OutMessage
from bot.core.i18n import Translator
from bot.core.models import ChatFlow, Member, Team
from bot.core.permissions import Action, Grant, Scope, can, can_somewhere, highest_role
from bot.core.roles import Role
from handlers.kit.metrics import Metrics
from storage.db import Database
from storage.file_links import FileLinks
from storage.repos import Repos

Clock = Callable[[], datetime]


class Scheduling(Protocol):
    """The running scheduler, as handlers may touch it (the app layer owns the real one)."""

    def wake_sender(self) -> None:
        """Something was just enqueued: send now rather than at the next poll."""

    async def reschedule(self) -> None:
        """The stored schedules changed: re-register the jobs."""

    @property
    def running(self) -> bool:
        """The jobs are scheduled and the outbox sender is alive (for /healthz, /status)."""


class CommandInfo(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def requires(self) -> Action | None: ...
    @property
    def members_only(self) -> bool: ...
    @property
    def in_menu(self) -> bool: ...


class Routes(Protocol):
    """The dispatcher, as handlers see it: the commands there are, and running one by name."""

    @property
    def commands(self) -> Mapping[str, CommandInfo]: ...

    async def run_command(self, ctx: Ctx, name: str, args: str) -> None: ...


class Services(Protocol):
    """What the app layer (``bot.app.services``) hands every handler; read-only here."""

    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> Database: ...
    @property
    def t(self) -> Translator: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def bot_username(self) -> str: ...
    @property
    def channels(self) -> Mapping[str, ChannelPort]:
        """The running channels by name, for messages not answering an update."""
    @property
    def routes(self) -> Routes: ...
    @property
    def scheduling(self) -> Scheduling | None:
        """None when no scheduler runs (a command-line tool, some tests)."""
    @property
    def read(self) -> Repos: ...
    @property
    def quick(self) -> Repos:
        """For a short keyed read on the update path, on the event loop's own thread."""
    @property
    def metrics(self) -> Metrics:
        """Counters and gauges of /metrics (one registry per running bot)."""
    @property
    def links(self) -> FileLinks | None:
        """Files handed out by link (Zalo's photos and documents); None without an address."""


@dataclass(frozen=True)
class Caller:
    """The person behind an update: a registered member, or a visitor who has not joined."""

    lang: str
    member: Member | None = None
    team: Team | None = None
    grants: tuple[Grant, ...] = ()

    @property
    def role(self) -> Role | None:
        return highest_role(self.grants)

    def can(self, action: Action, target: Scope) -> bool:
        return can(self.grants, action, target)

    def can_somewhere(self, action: Action) -> bool:
        return can_somewhere(self.grants, action)


@dataclass
class Ctx:
    services: Services
    channel: ChannelPort
    inc: Incoming
    caller: Caller
    args: str = ""
    #: The checked button press being handled (its verb and typed values), if any.
    press: Press | None = None
    flow: ChatFlow | None = None
    sent: list[str | None] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.caller.lang

    @property
    def now(self) -> datetime:
        return self.services.clock()

    @property
    def today(self) -> date:
        """The local date now, in the configured zone."""
        return local_today(self.now, self.services.settings.tz)

    def t(self, key: str, /, **params: object) -> str:
        return self.services.t(self.lang, key, **params)

    def numbers(self, params: Mapping[str, object]) -> dict[str, object]:
        """``params`` with every whole number written the reader's way (1.000.000 / 1,000,000)."""
        return {k: self.services.t.number(self.lang, v)
                if isinstance(v, int) and not isinstance(v, bool) else v
                for k, v in params.items()}

    async def reply(
        self,
        text: str,
        *,
        buttons: tuple[tuple[Button, ...], ...] = (),
        menu: tuple[tuple[str, ...], ...] | None = None,
    ) -> None:
        await self.send(OutMessage(text=text, buttons=buttons, menu=menu))

    async def answer(self, text: str, *, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        """After a button press, replace that message (its buttons are spent); else reply."""
        if self.inc.message_ref and self.channel.supports_buttons:
            await self.edit(self.inc.message_ref, OutMessage(text=text, buttons=buttons))
        else:
            await self.reply(text, buttons=buttons)

    async def send(self, message: OutMessage) -> str | None:
        """Send to this chat; the message's reference (for later edits), if the channel has one.

        Every message to the chat goes through here or :meth:`edit`, which mark it as written in
        the reader's language: a channel adding lines of its own (Zalo) writes them in it.
        """
        ref = await self.channel.send(self.inc.chat_id, self._in_reader_language(message))
        self.sent.append(ref)
        return ref

    async def edit(self, message_ref: str, message: OutMessage) -> None:
        await self.channel.edit(self.inc.chat_id, message_ref,
                                self._in_reader_language(message))

    def _in_reader_language(self, message: OutMessage) -> OutMessage:
        return message if message.lang is not None else replace(message, lang=self.lang)


