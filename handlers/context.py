"""What every handler gets: the services, the channel, the update, and who is asking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from bot.chat import Button, ChannelPort, Incoming, OutMessage
from bot.config import Settings
from bot.i18n import Translator
from bot.metrics import Metrics
from bot.permissions import Action, Grant, Scope, can, can_somewhere, highest_role
from bot.roles import Role
from storage.db import Database
from storage.models import ChatFlow, Member, Team
from storage.repos import Repos

if TYPE_CHECKING:
    from bot.file_links import FileLinks

Clock = Callable[[], datetime]


@dataclass
class Services:
    settings: Settings
    db: Database
    t: Translator
    clock: Clock
    bot_username: str = "tocns_bot"
    #: The running channels by name, for messages not answering an update (outbox, jobs).
    channels: dict[str, ChannelPort] = field(default_factory=dict)
    #: Counters and gauges of /metrics (one registry per running bot).
    metrics: Metrics = field(default_factory=Metrics)
    #: Files handed out by link (Zalo's photos and documents); None without a web address.
    links: FileLinks | None = None

    @property
    def read(self) -> Repos:
        return Repos(self.db.reader)


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
    flow: ChatFlow | None = None
    sent: list[str | None] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.caller.lang

    @property
    def now(self) -> datetime:
        return self.services.clock()

    def t(self, key: str, /, **params: object) -> str:
        return self.services.t(self.lang, key, **params)

    async def reply(
        self,
        text: str,
        *,
        buttons: tuple[tuple[Button, ...], ...] = (),
        menu: tuple[tuple[str, ...], ...] | None = None,
    ) -> None:
        message = OutMessage(text=text, buttons=buttons, menu=menu)
        self.sent.append(await self.channel.send(self.inc.chat_id, message))

    async def answer(self, text: str, *, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        """After a button press, replace that message (its buttons are spent); else reply."""
        if self.inc.message_ref and self.channel.supports_buttons:
            await self.channel.edit(self.inc.chat_id, self.inc.message_ref,
                                    OutMessage(text=text, buttons=buttons))
        else:
            await self.reply(text, buttons=buttons)


Language = Literal["vi", "en"]
