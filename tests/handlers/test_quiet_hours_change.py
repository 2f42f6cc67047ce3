"""Quiet hours changed while digests wait: the queued digests go by the new quiet hours, on
Telegram and on Zalo, in each reader's language."""

from __future__ import annotations

from bot.app.jobs import drain_now
from bot.core.schedule import QuietHours, Weekly
from bot.sandbox import SandboxUser
from handlers.steering.weekly import run_due_work
from storage.repos import Repos
from tests.harness.clock import at
from tests.harness.zalo_world import ZaloWorld

MONDAY_EARLY = "2026-11-30 06:00"     # inside the default 21:00–07:00 quiet hours


async def _queue_digests_in_quiet_hours(zworld: ZaloWorld) -> None:
    world = zworld.world
    at(world.clock, MONDAY_EARLY)
    async with world.services.db.write() as conn:
        await Repos(conn).schedules.set_weekly(
            "digest", Weekly(1, QuietHours.parse("06:00-07:00").start), by=None,
            now=world.clock())
    report = await run_due_work(world.services)
    assert report.digests > 0
    await drain_now(world.services)


async def test_queued_digests_go_when_quiet_hours_are_turned_off(zworld: ZaloWorld) -> None:
    world = zworld.world
    coordinator = world.person("commune_coordinator")
    on_zalo = zworld.person("province_coordinator")
    await on_zalo.send("/lang en")
    await on_zalo.next_message()
    before = await _photos(coordinator)
    await _queue_digests_in_quiet_hours(zworld)
    assert await _photos(coordinator) == before                    # held: 06:00 is quiet

    admin = world.person("admin")
    await admin.command("schedule", "quiet", "off")
    await admin.next_message()
    await drain_now(world.services)
    digest = await coordinator.wait_for(lambda m: bool(m.photo), timeout=15)
    assert "Xã Vị Thủy" in digest.text
    zalo_digest = await on_zalo.wait_for(lambda m: "Thành phố Cần Thơ" in m.text, timeout=15)
    assert "week" in zalo_digest.text                              # in English


async def test_queued_digests_go_when_quiet_hours_end_earlier(zworld: ZaloWorld) -> None:
    world = zworld.world
    coordinator = world.person("commune_coordinator")
    on_zalo = zworld.person("commune_coordinator")
    await on_zalo.send("/lang en")
    await on_zalo.next_message()
    before = await _photos(coordinator)
    await _queue_digests_in_quiet_hours(zworld)
    admin = world.person("admin")
    await admin.command("schedule", "quiet", "21:00-06:30")
    await admin.next_message()
    at(world.clock, "2026-11-30 06:20")                            # still quiet: nothing
    await drain_now(world.services)
    assert await _photos(coordinator) == before
    at(world.clock, "2026-11-30 06:31")                            # the new end, not 07:00
    await drain_now(world.services)
    digest = await coordinator.wait_for(lambda m: bool(m.photo), timeout=15)
    assert "Xã Vị Thủy — week" in digest.text                     # one person, one language
    zalo_digest = await on_zalo.wait_for(lambda m: "Xã Vị Thủy" in m.text, timeout=15)
    assert "week" in zalo_digest.text


async def _photos(person: SandboxUser) -> int:
    await person.refresh()
    return sum(1 for m in person.messages if m.from_bot and m.photo)
