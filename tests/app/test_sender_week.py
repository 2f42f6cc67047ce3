"""A simulated week with the fake clock: what each person receives, and when — exactly once."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.core.schedule import QuietHours, Weekly
from bot.sandbox.faults import FaultConfig
from bot.sandbox.flood import FloodControl
from handlers.steering.weekly import LOG_NOW, run_due_work
from storage.repos import Repos
from tests.harness.clock import at
from tests.harness.province import Province92

MONDAY = date(2026, 11, 23)         # ISO week 48; the digest then reports week 47
LAST_WEEK = date(2026, 11, 18)


async def _texts(province: Province92, uid: int) -> list[str]:
    return [m.text for m in await province.received(uid)]


async def test_a_week_reminders_only_to_the_silent_digests_once(province: Province92) -> None:
    clock = province.clock
    await province.log(102, LAST_WEEK, citizens=5)         # last week's figures
    await province.log(104, LAST_WEEK, citizens=3)
    sender = province.sender()

    at(clock, "2026-11-23 07:29")                          # nothing due before 07:30…
    assert (await run_due_work(province.services)).digests == 0
    at(clock, "2026-11-23 07:30")                          # …then every coordinator's digest
    report = await run_due_work(province.services)
    assert report.digests == 3
    await sender.drain()
    for uid in (201, 202, 301):
        messages = await province.received(uid)
        assert len(messages) == 1
        assert messages[0].photo, "the digest carries its chart"
        assert "tuần 16/11/2026–22/11/2026" in messages[0].text
    assert "Xã Vị Thủy" in (await _texts(province, 201))[0]
    assert "Người dân được hỗ trợ: 5" in (await _texts(province, 201))[0]
    assert "Người dân được hỗ trợ: 8" in (await _texts(province, 301))[0]
    assert "Phường Vị Thanh: 3" in (await _texts(province, 301))[0]

    at(clock, "2026-11-25 10:00")                          # Wednesday: Mai logs this week
    await province.log(102, date(2026, 11, 25))
    assert (await run_due_work(province.services)).digests == 0   # already done this week
    at(clock, "2026-11-27 16:00")                          # Friday's reminder
    report = await run_due_work(province.services)
    assert report.unreachable == 1                         # the member with no chat
    await sender.drain()
    assert await _texts(province, 102) == []               # logged: left alone
    nudge = (await province.received(103))[-1]
    assert nudge.text.startswith("Chào anh/chị Sơn!")
    assert nudge.button(callback_data=LOG_NOW) is not None
    assert len(await province.received(104)) == 1
    leader = await _texts(province, 101)
    assert len(leader) == 1                                # one message, never two a week:
    assert leader[0].startswith("Chào anh/chị Lực!")       # their own nudge…
    assert "Lê Văn Sơn" in leader[0]                       # …and the names, together
    assert "Lý Văn Vắng" in leader[0]
    assert "Nguyễn Thị Mai" not in leader[0]
    # Vị Thanh's only team is silent: its coordinator hears it (Vị Thủy's has a member active).
    assert "Khu vực 1" in (await _texts(province, 202))[-1]
    assert len(await _texts(province, 201)) == 1           # the digest only

    # Jobs firing again, a restart the same day: nothing is sent twice.
    for moment in ("2026-11-27 16:00", "2026-11-28 09:00", "2026-11-29 20:00"):
        at(clock, moment)
        await run_due_work(province.services)
        await province.sender().drain()
    assert len(await province.received(103)) == 1
    for uid, count in ((201, 1), (202, 2), (301, 1)):      # 202: the digest and the reminder
        assert len(await province.received(uid)) == count


async def test_nothing_in_quiet_hours_then_delivered_when_they_end(
        province: Province92) -> None:
    async with province.services.db.write() as conn:
        await Repos(conn).schedules.set_weekly("reminder", Weekly(5, QuietHours.parse(
            "22:00-23:00").start), by=None, now=province.clock())
    at(province.clock, "2026-11-27 22:00")                 # inside 21:00–07:00
    await run_due_work(province.services)
    sender = province.sender()
    await sender.drain()
    assert await _texts(province, 103) == []
    at(province.clock, "2026-11-28 06:59")
    await sender.drain()
    assert await _texts(province, 103) == []
    at(province.clock, "2026-11-28 07:00")
    await sender.drain()
    assert len(await _texts(province, 103)) == 1


async def test_a_nudge_held_by_quiet_hours_is_dropped_if_the_member_logs_meanwhile(
        province: Province92) -> None:
    async with province.services.db.write() as conn:
        await Repos(conn).schedules.set_weekly("reminder", Weekly(5, QuietHours.parse(
            "22:00-23:00").start), by=None, now=province.clock())
    at(province.clock, "2026-11-27 22:00")                 # Friday, inside 21:00–07:00
    await run_due_work(province.services)
    at(province.clock, "2026-11-28 06:30")                 # Sơn logs before the nudge goes
    await province.log(103, date(2026, 11, 28))
    at(province.clock, "2026-11-28 07:00")
    sender = province.sender()
    await sender.drain()
    assert await _texts(province, 103) == []               # not nagged after doing it
    assert len(await _texts(province, 104)) == 1           # still silent: still nudged
    assert sender.stats.dropped == 1
    leader = await _texts(province, 101)
    assert any("Lê Văn Sơn" in t for t in leader)          # the leader's list was as of Friday


async def test_catch_up_after_a_missed_time_in_the_same_week_only(
        province: Province92) -> None:
    at(province.clock, "2026-11-24 11:00")     # down over Monday 07:30, back on Tuesday
    assert (await run_due_work(province.services)).digests == 3
    await province.sender().drain()
    assert len(await province.received(201)) == 1

    async with province.services.db.write() as conn:  # digest moved to Sunday evening
        await Repos(conn).schedules.set_weekly("digest", Weekly(7, QuietHours.parse(
            "20:00-20:00").start), by=None, now=province.clock())
    at(province.clock, "2026-12-07 10:00")     # down from Sunday 6/12 to Monday: week over
    report = await run_due_work(province.services)
    assert report.digests == 0
    await province.sender().drain()
    assert len(await province.received(201)) == 1


async def test_killing_the_sender_mid_drain_loses_nothing_and_repeats_nothing(
        province: Province92) -> None:
    at(province.clock, "2026-11-23 07:30")
    await run_due_work(province.services)      # Monday's digests (3)…
    at(province.clock, "2026-11-27 16:00")
    await run_due_work(province.services)      # …and Friday's 4 nudges (one with the leader's
    #                                            list) and 2 coordinators' silent teams
    slow = province.sender(global_rate=8.0)   # slow enough to be killed half-way
    task = asyncio.create_task(slow.run())
    while slow.stats.sent < 2:  # noqa: ASYNC110 (the sender has no event to wait on)
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    counts = await province.services.read.outbox.batch_progress("reminder:2026-W48")
    assert counts["sending"] == 0              # nothing left half-sent
    await province.sender().recover()          # a restart
    await province.sender().drain()
    total = 0
    for uid in province.users:
        texts = await _texts(province, uid)
        assert len(texts) == len(set(texts)), f"{uid} got a duplicate"
        total += len(texts)
    assert total == 3 + 4 + 2                  # 3 digests, 4 nudges, 2 coordinators' lists


async def test_floods_and_server_errors_are_survived_exactly_once(
        province: Province92) -> None:
    province.sandbox.flood = FloodControl(global_per_second=3, per_chat_per_second=1)
    province.sandbox.faults = FaultConfig(seed=7, error_rate=0.2)
    at(province.clock, "2026-11-23 07:30")
    await run_due_work(province.services)
    at(province.clock, "2026-11-27 16:00")
    await run_due_work(province.services)
    sender = province.sender(global_rate=30.0, max_attempts=20)
    await sender.drain()
    assert sender.stats.retried > 0
    stats = province.sandbox.state.stats
    assert stats.faults["error_500"] + stats.faults["error_502"] > 0
    for uid in province.users:
        texts = await _texts(province, uid)
        assert len(texts) == len(set(texts))
    assert sum([len(await _texts(province, uid)) for uid in province.users]) == 9
    for batch in ("reminder:2026-W48", "digest:2026-W47"):
        counts = await province.services.read.outbox.batch_progress(batch)
        assert counts["sent"] > 0
        assert counts["failed"] == counts["pending"] == 0


async def test_a_blocked_user_fails_once_and_is_reported(province: Province92) -> None:
    province.sandbox.set_blocked(103)
    at(province.clock, "2026-11-27 16:00")
    await run_due_work(province.services)
    sender = province.sender()
    await sender.drain()
    await sender.drain()
    item = await province.services.read.outbox.by_key("reminder:2026-W48:m"
                                                      f"{province.member_ids[103]}:telegram")
    assert item is not None
    assert (item.status, item.attempts) == ("failed", 1)
    assert "blocked" in (item.last_error or "")
    assert sender.stats.failures == [item.dedup_key]
    assert (await province.services.read.outbox.batch_progress("reminder:2026-W48"))[
        "failed"] == 1
