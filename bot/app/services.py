"""The app's services: everything a handler or a job needs, built once by the run loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.app.routes import build_dispatcher
from bot.config import Settings
from bot.core.chat import ChannelPort
from bot.core.i18n import Translator
from handlers.kit.context import Clock, Scheduling
from handlers.kit.dispatch import Dispatcher
from handlers.kit.metrics import Metrics
from locales import translator
from storage.db import Database
from storage.file_links import FileLinks
from storage.repos import Repos


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """Satisfies :class:`handlers.context.Services`; the app layer may also change it."""

    settings: Settings
    db: Database
    t: Translator
    clock: Clock
    routes: Dispatcher
    bot_username: str = "tocns_bot"
    #: The running channels by name, for messages not answering an update (outbox, jobs).
    channels: dict[str, ChannelPort] = field(default_factory=dict)
    #: Set while the jobs and the outbox sender run (see ``bot.app.jobs.scheduling``).
    scheduling: Scheduling | None = None
    #: Counters and gauges of /metrics (one registry per running bot).
    metrics: Metrics = field(default_factory=Metrics)
    #: Files handed out by link (Zalo's photos and documents); None without a web address.
    links: FileLinks | None = None

    @property
    def read(self) -> Repos:
        return Repos(self.db.reader)


def make_services(settings: Settings, db: Database, clock: Clock = utc_now) -> Services:
    return Services(settings=settings, db=db, t=translator(settings.default_language),
                    clock=clock, routes=build_dispatcher())
