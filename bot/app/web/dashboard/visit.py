"""Who is asking: a logged-in reader's request, and the address it comes from."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime

from aiohttp import web

from handlers.kit.context import Caller, Services
from storage.repos.web_access import WebSession


@dataclass(frozen=True)
class Visit:
    """A request of a logged-in reader."""

    session: WebSession
    caller: Caller
    lang: str
    today: date
    now: datetime


@dataclass(frozen=True)
class Asking:
    """A dashboard reader as :func:`handlers.steering.export.workbook_file` asks for one."""

    services: Services
    lang: str
    today: date

    def t(self, key: str, /, **params: object) -> str:
        return self.services.t(self.lang, key, **params)


def client_address(request: web.Request) -> str:
    """The client's address: behind the local reverse proxy, the one it appended last."""
    remote = request.remote or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        local = ipaddress.ip_address(remote).is_loopback
    except ValueError:
        local = False
    if local and forwarded:
        return forwarded.split(",")[-1].strip()
    return remote
