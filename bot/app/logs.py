"""Logging for an operator: one line per event, text or JSON, nothing personal or secret.

- Times in TIMEZONE, as the backups' names and the schedules are (not the server's own zone,
  often UTC on a rented machine): "the 02:30 backup" is at 02:30 in the log too.
- One line per event: a traceback is folded onto its event's line (``|`` between its lines), so
  journald, ``grep`` and log shippers never split an event; with ``LOG_FORMAT=json`` each line
  is one JSON object (``time``, ``level``, ``logger``, ``message``, ``error``).
- Never a token, secret or phone number: every message and traceback goes through
  :func:`bot.core.redact.redact`, with the configured tokens and webhook secrets masked literally.
- Never a message text: the product logs ids, not texts; the libraries that would log texts or
  URLs are kept quiet whatever ``LOG_LEVEL`` says (python-telegram-bot logs request parameters
  at DEBUG, httpx every request URL — token included — at INFO, APScheduler two lines per job
  run every 30 seconds).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import TextIO

from bot.config import Settings
from bot.core.redact import redact

#: Library loggers and the least severe level they may log at, whatever LOG_LEVEL says.
QUIET_LIBRARIES = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "aiosqlite": logging.INFO,
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
    "tzlocal": logging.INFO,
}


def _one_line(text: str) -> str:
    return " | ".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


class OneLineFormatter(logging.Formatter):
    """``2026-11-23 09:00:00,123 INFO bot.app.jobs: message | Traceback ... | ValueError: ...``."""

    def __init__(self, secrets: Iterable[str] = (), *, as_json: bool = False,
                 tz: tzinfo | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = tuple(s for s in secrets if s)
        self.as_json = as_json
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if self.tz is None:
            return super().formatTime(record, datefmt)
        moment = datetime.fromtimestamp(record.created, self.tz)
        return f"{moment:%Y-%m-%d %H:%M:%S},{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        message = _one_line(redact(record.getMessage(), self.secrets))
        error = ""
        if record.exc_info:
            error = self.formatException(record.exc_info)
        if record.stack_info:
            error = f"{error}\n{self.formatStack(record.stack_info)}"
        error = _one_line(redact(error, self.secrets))
        if self.as_json:
            event = {
                "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                    timespec="milliseconds"),
                "level": record.levelname,
                "logger": record.name,
                "message": message,
            }
            if error:
                event["error"] = error
            return json.dumps(event, ensure_ascii=False)
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
        return f"{line} | {error}" if error else line


def secrets_of(settings: Settings) -> list[str]:
    """The configured values no log may show (webhook secrets when that feature is wired)."""
    names = ("telegram_bot_token", "zalo_bot_token", "telegram_webhook_secret",
             "zalo_webhook_secret")
    return [value for name in names
            if isinstance(value := getattr(settings, name, None), str) and value]


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """The root logger writes one redacted line per event to stderr (journald, docker logs)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter(secrets_of(settings),
                                          as_json=settings.log_format == "json", tz=settings.tz))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    level = logging.getLevelNamesMapping()[settings.log_level]
    for name, floor in QUIET_LIBRARIES.items():
        logging.getLogger(name).setLevel(max(floor, level))
