"""/metrics in the Prometheus text format: it parses, and its counters move with the traffic."""

from __future__ import annotations

import math

from prometheus_client.parser import text_string_to_metric_families

from bot.app.jobs import drain_now
from bot.sandbox.zalo_testing import SandboxZaloUser
from handlers.steering.weekly import run_due_work
from tests.harness.hooked import HookedWorld

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _scrape(world: HookedWorld) -> Samples:
    status, body, headers = await world.get("/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(body.decode())
            for s in family.samples}


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_counters_move_with_the_traffic(hooked: HookedWorld) -> None:
    before = await _scrape(hooked)
    member = hooked.person("member_1")
    await member.send("/help")
    await member.next_message()
    await member.send("4 thanh toan qr")
    await member.next_message()
    visitor = SandboxZaloUser(hooked.sandbox, "0000000000000000c001", "Khách Zalo")
    await visitor.send("/start")
    await visitor.next_message()
    after = await _scrape(hooked)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("tocns_updates_handled_total", channel="telegram", kind="command") == 1
    assert moved("tocns_updates_handled_total", channel="telegram", kind="text") == 1
    assert moved("tocns_updates_handled_total", channel="zalo", kind="command") == 1
    assert moved("tocns_handler_duration_seconds_count", channel="telegram") == 2
    assert moved("tocns_messages_sent_total", channel="telegram", source="reply",
                 result="sent") == 2
    assert moved("tocns_messages_sent_total", channel="zalo", source="reply",
                 result="sent") == 1
    assert _value(after, "tocns_last_update_timestamp_seconds", channel="zalo") \
        == hooked.clock.now.timestamp()
    assert _value(after, "tocns_database_up") == 1
    assert _value(after, "tocns_scheduler_up") == 1
    assert _value(after, "tocns_outbox_depth") == 0


async def test_outbox_sends_and_job_runs_are_counted(hooked: HookedWorld) -> None:
    before = await _scrape(hooked)
    hooked.clock.advance(days=7)
    await run_due_work(hooked.services)
    waiting = await _scrape(hooked)
    assert _value(waiting, "tocns_outbox_depth") > 0
    await drain_now(hooked.services)
    await hooked.jobs.clean_up_files()
    after = await _scrape(hooked)
    sent = sum(_value(after, "tocns_messages_sent_total", channel=c, source="outbox",
                      result="sent")
               - _value(before, "tocns_messages_sent_total", channel=c, source="outbox",
                        result="sent") for c in ("telegram", "zalo"))
    assert sent == _value(waiting, "tocns_outbox_depth")
    assert _value(after, "tocns_outbox_depth") == 0
    assert _value(after, "tocns_job_runs_total", job="files:cleanup", result="ok") == 1
    assert _value(after, "tocns_job_duration_seconds_count", job="files:cleanup") == 1
    assert _value(after, "tocns_file_links") > 0  # the Zalo charts, still valid


async def test_backup_age_is_read_from_the_backup_folder(hooked: HookedWorld) -> None:
    # None yet: infinitely old, so an "older than a day" alert fires (a NaN never would).
    assert _value(await _scrape(hooked), "tocns_backup_age_seconds") == math.inf
    folder = hooked.services.settings.backups_folder
    folder.mkdir(parents=True)
    (folder / "tocns-2026-11-23.sqlite3").write_bytes(b"backup")
    age = _value(await _scrape(hooked), "tocns_backup_age_seconds")
    assert 0 <= age < 60


async def test_the_process_figures_are_exported(hooked: HookedWorld) -> None:
    scraped = await _scrape(hooked)
    assert _value(scraped, "process_resident_memory_bytes") > 0
    assert _value(scraped, "process_open_fds") > 0
    assert _value(scraped, "process_max_fds") > 0
    assert _value(scraped, "process_start_time_seconds") > 0
