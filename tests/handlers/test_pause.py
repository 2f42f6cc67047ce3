"""Reminders that respect people, end to end: /pause through the bot, the week's reminders
through the outbox and the sandbox, and what the team leader sees."""

from __future__ import annotations

from datetime import date

from bot.app.jobs import drain_now
from handlers.steering.weekly import run_due_work
from tests.harness.clock import at
from tests.harness.factories import log_session
from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld

FRIDAY = "2026-11-27 16:00"          # the default reminder time, in the clock's week


async def _bot_texts(world: World, key: str) -> list[str]:
    person = world.person(key)
    await person.refresh()
    return [m.text for m in person.messages if m.from_bot]


async def test_a_paused_member_gets_no_reminder_and_their_leader_sees_them_paused(
        quiet_world: World) -> None:
    world = quiet_world
    mai = world.person("member_1")
    await mai.command("pause", "2w")
    done = await mai.next_message()
    assert "Đã tạm dừng lời nhắc đến hết 06/12/2026" in done.text

    at(world.clock, FRIDAY)
    report = await run_due_work(world.services)
    assert report.reminders > 0
    await drain_now(world.services)

    assert not any("chưa ghi nhận buổi hỗ trợ" in t for t in await _bot_texts(world, "member_1"))
    sang = await _bot_texts(world, "member_2")                      # English, not paused
    assert any(t.startswith("Hello Sang") or "Sang" in t for t in sang)
    leader = [t for t in await _bot_texts(world, "team_leader") if "Ấp 1" in t]
    assert len(leader) == 1                                         # one message this week
    assert "Nguyễn Thanh Sang" in leader[0]
    assert leader[0].count("Tổ Ấp 1:") == 1
    silent_part, paused_part = leader[0].split("Đang tạm nghỉ")
    assert "Nguyễn Thị Mai" not in silent_part                      # not among the silent…
    assert "Nguyễn Thị Mai (06/12/2026)" in paused_part             # …but shown as on leave

    # Running the reminders again the same week (a restart, a moved schedule): nothing new.
    before = len(await _bot_texts(world, "team_leader"))
    await run_due_work(world.services)
    await drain_now(world.services)
    assert len(await _bot_texts(world, "team_leader")) == before

    team_leader = world.person("team_leader")
    await team_leader.command("team")
    page = (await team_leader.next_message()).text
    assert "Nguyễn Thị Mai: ⏸ tạm nghỉ đến hết 06/12/2026" in page
    assert "Nguyễn Thị Mai: 💤" not in page
    assert "1 người đang tạm nghỉ" in page


async def test_resume_and_the_pause_buttons(quiet_world: World) -> None:
    mai = quiet_world.person("member_1")
    await mai.command("pause")
    ask = await mai.next_message()
    assert ask.buttons == ["⏸ 1 tuần", "⏸ 2 tuần", "⏸ 1 tháng"]
    await mai.press("⏸ 1 tuần")
    assert "đến hết 29/11/2026" in (await mai.next_message()).text
    await mai.command("pause")
    again = await mai.next_message()
    assert "đang tạm dừng đến hết 29/11/2026" in again.text
    assert "▶️ Nhận lại lời nhắc" in again.buttons
    await mai.command("resume")
    assert "Đã bật lại lời nhắc" in (await mai.next_message()).text
    await mai.command("pause", "4 tháng")
    refused = (await mai.next_message()).text
    assert "tối đa 3 tháng" in refused
    member = await quiet_world.services.read.members.by_identity("telegram", "9005")
    assert member is not None
    assert await quiet_world.services.read.pauses.current(date(2026, 11, 23)) == {}


async def test_a_member_who_logged_or_paused_after_the_reminder_was_queued_is_not_nagged(
        quiet_world: World) -> None:
    world = quiet_world
    at(world.clock, "2026-11-27 22:00")          # Friday night: queued, held by quiet hours
    from bot.core.schedule import QuietHours, Weekly
    from storage.repos import Repos

    async with world.services.db.write() as conn:
        await Repos(conn).schedules.set_weekly("reminder", Weekly(5, QuietHours.parse(
            "22:00-23:00").start), by=None, now=world.clock())
    await run_due_work(world.services)
    sang = world.person("member_2")
    await sang.command("pause", "3d")              # pauses before the morning
    await sang.next_message()
    member = await world.services.read.members.by_identity("telegram", "9005")
    assert member is not None
    await log_session(world.services.db, world.clock, member.id, "cks", 2, date(2026, 11, 27),
                      "late")                      # Mai logs late on Friday
    at(world.clock, "2026-11-28 07:00")
    await drain_now(world.services)
    assert not any("Sang" in t for t in await _bot_texts(world, "member_2")
                   if "Hello" in t or "Chào" in t)
    assert not any("Chào anh/chị Mai" in t for t in await _bot_texts(world, "member_1"))


async def test_pause_on_zalo_with_numbered_choices(zworld: ZaloWorld) -> None:
    await drain_now(zworld.world.services)
    mai = zworld.person("member_1")
    await mai.send("/pause")
    ask = await mai.next_message()
    assert ask.choices == ["⏸ 1 tuần", "⏸ 2 tuần", "⏸ 1 tháng"]
    await mai.choose("⏸ 2 tuần", ask)
    assert "đến hết 06/12/2026" in (await mai.next_message()).text
    await mai.send("/resume")
    assert "Đã bật lại lời nhắc" in (await mai.next_message()).text

