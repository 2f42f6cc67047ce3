"""The app's services: everything a handler or a job needs, built once and then left alone.

Wiring goes one way: the channels' ports, the file links and the bot's name are built first,
then the services from them (frozen: nothing writes to them afterwards), then what runs on the
services — each channel's intake and its dispatcher, the jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from bot.app.routes import build_router
from bot.config import Settings
from bot.core.chat import ChannelPort
from bot.core.i18n import Translator
from handlers.kit.context import Clock, Scheduling
from handlers.kit.dispatch import Router
from handlers.kit.metrics import Metrics
from locales import translator
from storage.db import Database
from storage.file_links import FileLinks
from storage.repos import Repos

#: The bot's name until Telegram says otherwise (a command-line tool, a test without Telegram).
DEFAULT_BOT_USERNAME = "tocns_bot"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """Satisfies :class:`handlers.kit.context.Services`."""

    settings: Settings
    db: Database
    t: Translator
    clock: Clock
    #: What the features offer (commands, buttons, flows), for menus and "run this command".
    routes: Router
    bot_username: str = DEFAULT_BOT_USERNAME
    #: The channels by name, for messages not answering an update (outbox, jobs).
    channels: Mapping[str, ChannelPort] = field(default_factory=dict)
    #: The jobs and the outbox sender, started after the services (``bot.app.jobs``); None
    #: where none run (a command-line tool, some tests).
    scheduling: Scheduling | None = None
    #: Counters and gauges of /metrics (one registry per running bot).
    metrics: Metrics = field(default_factory=Metrics)
    #: Files handed out by link (Zalo's photos and documents); None without a web address.
    links: FileLinks | None = None

    @property
    def read(self) -> Repos:
        return Repos(self.db.reader)

    @property
    def quick(self) -> Repos:
        """The repositories for a short keyed read on the update path (see storage.inline)."""
        return Repos(self.db.quick)


def make_services(settings: Settings, db: Database, clock: Clock = utc_now, *,
                  channels: Mapping[str, ChannelPort] | None = None,
                  bot_username: str = DEFAULT_BOT_USERNAME, jobs: Scheduling | None = None,
                  links: FileLinks | None = None) -> Services:
    """The services over what was built before them (``channels``: a read-only copy)."""
    return Services(settings=settings, db=db, t=translator(settings.default_language),
                    clock=clock, routes=build_router(), bot_username=bot_username,
                    channels=MappingProxyType(dict(channels or {})), scheduling=jobs,
                    links=links)


def file_links(settings: Settings, db: Database, clock: Clock = utc_now,
               base_url: str | None = None) -> FileLinks:
    """The bot's file links; without ``base_url`` (``WEB_BASE_URL``) nothing can be published
    until an address is given (the sandbox's, once it listens)."""
    return FileLinks(db, settings.files_dir, ttl=timedelta(hours=settings.file_link_ttl_hours),
                     clock=clock, base_url=base_url)
