"""/healthz: 200 when all is well; 503 when the database does not answer, the scheduler is not
running, or the outbox is stuck (outside quiet hours) — with what is wrong in the JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.app.jobs import Scheduling, scheduling
from bot.app.services import file_links, make_services
from bot.app.web.server import WebServer
from bot.config import load_settings
from bot.core.chat import OutMessage
from handlers.kit.context import Services
from handlers.kit.outbox import OutboxMessage, enqueue
from storage.db import Database
from tests.harness.clock import FakeClock
from tests.harness.hooked import HookedWorld
from tests.harness.web import serving

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Probe:
    services: Services
    server: WebServer
    jobs: Scheduling
    clock: FakeClock
    session: aiohttp.ClientSession

    async def health(self) -> tuple[int, dict[str, Any]]:
        async with self.session.get(self.server.url + "/healthz") as response:
            return response.status, await response.json()


@pytest.fixture
async def probe(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Probe]:
    """A bot with no channel up (as when Zalo cannot be reached): the scheduler and the web
    server only, on an empty database."""
    settings = load_settings(DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
                             BACKUP_DIR=str(tmp_path / "backups"))
    async with Database(settings.database_path) as db, aiohttp.ClientSession() as session:
        services = make_services(settings, db, clock, jobs=Scheduling(),
                                 links=file_links(settings, db, clock))
        async with serving(services) as server, scheduling(services) as jobs:
            yield Probe(services, server, jobs, clock, session)


async def _waiting_zalo_message(probe: Probe, due: datetime) -> None:
    await enqueue(probe.services, [OutboxMessage(
        dedup_key="test:waiting", channel="zalo", chat_id="0000000000000000b001",
        message=OutMessage("Nhắc lịch"), kind="broadcast", not_before=due)])


async def test_all_well_is_200_with_the_figures(hooked: HookedWorld) -> None:
    member = hooked.person("member_1")
    await member.send("/help")
    await member.next_message()
    status, body, headers = await hooked.get("/healthz")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    import json

    report = json.loads(body)
    assert report["status"] == "ok"
    assert report["problems"] == []
    assert report["database"] is True
    assert report["scheduler"] is True
    assert report["outbox"]["depth"] == 0
    assert report["outbox"]["oldest_due_age_seconds"] is None
    assert report["last_update"]["telegram"] == hooked.clock.now.isoformat()
    assert report["backup_age_seconds"] is None


async def test_a_stuck_outbox_is_503_outside_quiet_hours_only(probe: Probe) -> None:
    # Monday 09:00 in Vietnam; a message due 20 minutes ago has not gone (Zalo is down).
    await _waiting_zalo_message(probe, probe.clock.now - timedelta(minutes=20))
    status, report = await probe.health()
    assert status == 503
    assert report["problems"] == ["outbox_stuck"]
    assert report["outbox"] == {"depth": 1, "oldest_due_age_seconds": 20 * 60}
    # At night nothing is sent on purpose: waiting is not a fault.
    probe.clock.now = datetime(2026, 11, 23, 22, 30, tzinfo=VN)
    assert (await probe.health())[0] == 200
    # Quiet hours end at 07:00: the clock of "stuck" starts again from there.
    probe.clock.now = datetime(2026, 11, 24, 7, 10, tzinfo=VN)
    assert (await probe.health())[0] == 200
    probe.clock.now = datetime(2026, 11, 24, 7, 16, tzinfo=VN)
    assert (await probe.health())[0] == 503


async def test_a_message_not_yet_due_is_not_stuck(probe: Probe) -> None:
    await _waiting_zalo_message(probe, probe.clock.now + timedelta(hours=2))
    status, report = await probe.health()
    assert status == 200
    assert report["outbox"] == {"depth": 1, "oldest_due_age_seconds": None}


async def test_a_stopped_scheduler_is_503(probe: Probe) -> None:
    assert (await probe.health())[0] == 200
    await probe.jobs.stop()
    status, report = await probe.health()
    assert status == 503
    assert report["problems"] == ["scheduler"]
    assert report["scheduler"] is False


async def test_an_unreachable_database_is_503(probe: Probe) -> None:
    await probe.services.db.close()
    status, report = await probe.health()
    assert status == 503
    assert "database" in report["problems"]
    assert report["database"] is False
    assert report["outbox"]["depth"] is None
