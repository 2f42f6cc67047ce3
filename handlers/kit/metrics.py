"""What ``/metrics`` exposes, in the Prometheus text format (prometheus_client).

Each running bot has its own :class:`Metrics` with its own ``CollectorRegistry`` (not the
library's global one), so two bots in one process — the tests — never share a counter.
Counters move as things happen (updates handled, messages sent, errors, job runs); the gauges
read from the database or the disk (outbox, backups) are set just before each scrape by
``handlers.admin.health.refresh_gauges``.

Labels are kept to small fixed sets (channel, kind of update, result, job name): never a chat
id, a command argument or anything a person typed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from bot.core.chat import ChannelName, ChannelPort, Incoming, IncomingFile, MenuCommand, OutMessage

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
_T = TypeVar("_T")

#: Seconds: most answers take a few hundred ms; an import or an export may take many seconds.
_HANDLER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0)


def update_kind(inc: Incoming) -> str:
    """The kind of an update, for the ``kind`` label: a small fixed set."""
    if inc.callback_data is not None:
        return "button"
    if inc.command is not None:
        return "command"
    if inc.document is not None:
        return "document"
    if inc.photo is not None:
        return "photo"
    return "text" if inc.text else "other"


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        # process_* (memory, CPU, open files against their limit, start time) and python_info,
        # as every Prometheus client exports them: an operator's first look.
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        self.updates = Counter(
            "tocns_updates_handled", "Updates handled, by channel and kind",
            ["channel", "kind"], registry=registry)
        self.duplicates = Counter(
            "tocns_updates_duplicate", "Re-delivered updates recognised and skipped",
            ["channel"], registry=registry)
        self.handler_seconds = Histogram(
            "tocns_handler_duration_seconds", "Time to handle one update",
            ["channel"], buckets=_HANDLER_BUCKETS, registry=registry)
        self.last_update = Gauge(
            "tocns_last_update_timestamp_seconds", "When the latest update arrived (Unix time)",
            ["channel"], registry=registry)
        self.messages = Counter(
            "tocns_messages_sent", "Messages sent, by channel, source (reply or outbox) and "
            "result (sent, failed; retry and dropped for the outbox)",
            ["channel", "source", "result"], registry=registry)
        self.errors = Counter(
            "tocns_errors", "Errors by kind (handler, send, poll, webhook_secret, job...)",
            ["kind"], registry=registry)
        self.job_runs = Counter(
            "tocns_job_runs", "Scheduled job runs, by job and result", ["job", "result"],
            registry=registry)
        self.job_seconds = Histogram(
            "tocns_job_duration_seconds", "Duration of scheduled job runs", ["job"],
            buckets=_JOB_BUCKETS, registry=registry)
        self.outbox_depth = Gauge(
            "tocns_outbox_depth", "Outbox items not sent yet (pending or sending)",
            registry=registry)
        self.outbox_oldest_due_age = Gauge(
            "tocns_outbox_oldest_due_age_seconds",
            "How long the oldest due outbox item has waited (0 when none)", registry=registry)
        self.outbox_stuck = Gauge(
            "tocns_outbox_stuck", "1 when an outbox item is overdue outside quiet hours "
            "(the /healthz rule): the sender is stuck", registry=registry)
        self.database_up = Gauge(
            "tocns_database_up", "1 when the database answers", registry=registry)
        self.scheduler_up = Gauge(
            "tocns_scheduler_up", "1 when the scheduler is running", registry=registry)
        self.backup_age = Gauge(
            "tocns_backup_age_seconds", "Age of the newest file in BACKUP_DIR (+Inf: none)",
            registry=registry)
        self.file_links = Gauge(
            "tocns_file_links", "File links not yet cleaned up", registry=registry)
        #: When each channel's latest update arrived in this process (the database keeps it
        #: across restarts once handled).
        self.last_received: dict[str, datetime] = {}

    # --- events -----------------------------------------------------------------------------

    def received(self, channel: str, at: datetime) -> None:
        self.last_received[channel] = at
        self.last_update.labels(channel).set(at.timestamp())

    def handled(self, inc: Incoming, seconds: float) -> None:
        self.updates.labels(inc.channel, update_kind(inc)).inc()
        self.handler_seconds.labels(inc.channel).observe(seconds)

    def sent(self, channel: str, source: str, result: str) -> None:
        self.messages.labels(channel, source, result).inc()

    def error(self, kind: str) -> None:
        self.errors.labels(kind).inc()

    async def timed_job(self, job: str, run: Callable[[], Awaitable[_T]]) -> _T:
        """Run a job, counting the run (ok or error) and its duration; errors propagate."""
        started = time.perf_counter()
        try:
            result = await run()
        except Exception:
            self.job_runs.labels(job, "error").inc()
            self.error("job")
            raise
        finally:
            self.job_seconds.labels(job).observe(time.perf_counter() - started)
        self.job_runs.labels(job, "ok").inc()
        return result

    def set_backup_age(self, age: timedelta | None) -> None:
        # No backup at all is worse than an old one: +Inf trips the same alert (a NaN compares
        # false with everything, so "older than a day" would never fire before the first one).
        self.backup_age.set(age.total_seconds() if age is not None else math.inf)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MeteredPort:
    """A channel port that counts what it sends (answers to people; the outbox counts its own)."""

    def __init__(self, port: ChannelPort, metrics: Metrics) -> None:
        self.port = port
        self.metrics = metrics
        self.name: ChannelName = port.name
        self.supports_buttons = port.supports_buttons

    async def _count(self, send: Awaitable[_T]) -> _T:
        try:
            result = await send
        except Exception:
            self.metrics.sent(self.name, "reply", "failed")
            self.metrics.error("send")
            raise
        self.metrics.sent(self.name, "reply", "sent")
        return result

    async def interpret(self, inc: Incoming) -> Incoming:
        return await self.port.interpret(inc)

    async def send(self, chat_id: str, message: OutMessage) -> str | None:
        return await self._count(self.port.send(chat_id, message))

    async def edit(self, chat_id: str, message_ref: str, message: OutMessage) -> None:
        await self._count(self.port.edit(chat_id, message_ref, message))

    async def answer_button(self, callback_id: str, text: str | None = None) -> None:
        await self.port.answer_button(callback_id, text)

    async def set_menu(self, chat_id: str, commands: list[MenuCommand]) -> None:
        await self.port.set_menu(chat_id, commands)

    async def download(self, file: IncomingFile) -> bytes:
        return await self.port.download(file)
