"""Plausibility end to end: an unusual session is saved and flagged, the team leader or the
commune coordinator confirms or rejects it in /review, a rejected one leaves the figures and
its member is told; /rules sets the limits. Telegram and Zalo, Vietnamese and English."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app.jobs import drain_now
from bot.core.permissions import Scope
from bot.sandbox import SandboxUser
from tests.harness.world import World
from tests.harness.zalo_world import ZaloWorld

TODAY = date(2026, 11, 23)


async def _member_id(world: World, key: str) -> int:
    from bot.app.demo import PERSONA_IDS

    member = await world.services.read.members.by_identity("telegram", str(PERSONA_IDS[key]))
    assert member is not None
    return member.id


async def _week_citizens(world: World, key: str) -> int:
    tallies = await world.services.read.tallies.member_by_category(
        await _member_id(world, key), TODAY, TODAY)
    return sum(t.citizens for t in tallies.values())


async def _log(member: SandboxUser, args: str) -> str:
    await member.command("log", *args.split())
    await member.next_message()
    await member.press("✅ Lưu" if member.language_code != "en" else "✅ Save")
    return (await member.next_message()).text


async def _set_language(world: World, key: str, lang: str) -> None:
    async with world.services.db.write() as conn:
        await conn.execute("UPDATE members SET language = ? WHERE id = ?",
                           (lang, await _member_id(world, key)))


async def test_a_flagged_session_is_saved_reviewed_and_rejected_with_the_member_told(
        quiet_world: World) -> None:
    world = quiet_world
    mai, leader = world.person("member_1"), world.person("team_leader")
    saved = await _log(mai, "cks 150")
    assert "Đã lưu" in saved                                          # saved, not refused
    assert "tổ trưởng sẽ xem lại" in saved
    assert "gian lận" not in saved
    assert await _week_citizens(world, "member_1") == 150            # counted until decided

    nudge = await leader.wait_for(lambda m: "cần anh/chị xem lại" in m.text)
    assert "/review" in nudge.text                                   # the leader is told once
    await _log(mai, "cks 160")
    await drain_now(world.services)
    await leader.refresh()
    assert not [m for m in leader.drain() if "cần anh/chị xem lại" in m.text]  # …a day
    await leader.command("review")
    assert "Có 2 buổi cần xem lại" in (await leader.next_message()).text
    shown, second = await leader.next_message(), await leader.next_message()
    assert "160 người dân trong một buổi" in second.text
    assert "310 người dân trong ngày (ngưỡng 200)" in second.text    # two rules at once
    assert "Nguyễn Thị Mai (Ấp 1) — ngày 23/11/2026" in shown.text
    assert "150 người dân trong một buổi (ngưỡng 100)" in shown.text
    assert shown.buttons == ["✅ Đúng, giữ lại", "❌ Loại bỏ"]
    await leader.press("❌ Loại bỏ", message=shown)
    ask = await leader.next_message()
    assert "Vì sao loại buổi này" in ask.text
    await leader.send("Thực tế chỉ 15 người, gõ nhầm")
    done = await leader.next_message()
    assert "Đã loại buổi của Nguyễn Thị Mai ngày 23/11/2026 (150 người dân)" in done.text

    assert await _week_citizens(world, "member_1") == 160             # gone from the figures
    await drain_now(world.services)
    told = await mai.wait_for(lambda m: "không tính vào số liệu" in m.text)
    assert "Lý do: Thực tế chỉ 15 người, gõ nhầm" in told.text
    assert "Lê Hữu Toàn" in told.text
    entry = (await world.services.read.audit.latest(1))[0]
    assert entry.action == "review.reject"
    assert entry.details["reason"] == "Thực tế chỉ 15 người, gõ nhầm"

    await leader.command("review")
    assert "Có 1 buổi cần xem lại" in (await leader.next_message()).text


async def test_a_repeated_session_confirmed_by_the_commune_in_english(
        quiet_world: World) -> None:
    world = quiet_world
    await _set_language(world, "commune_coordinator", "en")
    sang = world.person("member_2")                                    # English already
    first = await _log(sang, "vneid 4")
    assert "unusual" not in first
    second = await _log(sang, "vneid 4")
    assert "your team leader will have a look" in second
    coordinator = world.person("commune_coordinator")
    await coordinator.command("review")
    assert "1 session to review" in (await coordinator.next_message()).text
    shown = await coordinator.next_message()
    assert "the same session already logged that day (2 times in all)" in shown.text
    await coordinator.press("✅ Right, keep it", message=shown)
    assert "stays in the figures" in (await coordinator.next_message()).text
    assert await _week_citizens(world, "member_2") == 8
    await coordinator.command("review")
    assert "No sessions to review" in (await coordinator.next_message()).text


async def test_a_member_cannot_review_and_nobody_reviews_their_own(quiet_world: World) -> None:
    world = quiet_world
    mai, leader = world.person("member_1"), world.person("team_leader")
    await mai.command("review")
    refused = (await mai.next_message()).text
    assert "tổ trưởng" in refused.lower()                               # who can, politely
    saved = await _log(leader, "cks 120")
    assert "xem lại" in saved
    await leader.command("review")
    await leader.next_message()
    shown = await leader.next_message()
    await leader.press("✅ Đúng, giữ lại", message=shown)
    assert "cần người khác xem lại" in (await leader.next_message()).text
    assert await world.services.read.plausibility.count_open(Scope()) == 1


async def test_rules_are_set_by_the_admin_and_apply_to_the_next_session(
        quiet_world: World) -> None:
    world = quiet_world
    admin, mai = world.person("admin"), world.person("member_1")
    await admin.command("rules")
    shown = (await admin.next_message()).text
    assert "Số người dân tối đa trong một buổi: 100" in shown
    await admin.command("rules", "session", "cks", "10")
    done = (await admin.next_message()).text
    assert "riêng ✍️ Chữ ký số công cộng (cks): 10" in done or "(cks): 10" in done
    await admin.command("rules", "repeat", "maybe")
    assert "on hoặc off" in (await admin.next_message()).text
    assert "xem lại" in await _log(mai, "cks 12")
    assert "xem lại" not in await _log(mai, "vneid 12")
    await mai.command("rules")
    refused = (await mai.next_message()).text
    assert "quản trị" in refused.lower() or "admin" in refused.lower()
    entry = [e for e in await world.services.read.audit.latest(5) if e.action == "rules.set"]
    assert entry
    assert entry[0].target == "session"


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_review_on_zalo(zworld: ZaloWorld, lang: str) -> None:
    world = zworld.world
    async with world.services.db.write() as conn:
        await conn.execute("DELETE FROM sessions")
    mai, leader = zworld.person("member_1"), zworld.person("team_leader")
    if lang == "en":
        await leader.send("/lang en")
        await leader.next_message()
    await mai.send("/log cks 300")
    summary = await mai.next_message()
    await mai.choose("✅ Lưu", summary)
    saved = await mai.next_message()
    assert "tổ trưởng sẽ xem lại" in saved.text
    await leader.wait_for(lambda m: "/review" in m.text)             # the nudge, on Zalo too
    await leader.send("/review")
    await leader.next_message()
    shown = await leader.next_message()
    assert ("300 citizens in one session (limit 100)" if lang == "en"
            else "300 người dân trong một buổi (ngưỡng 100)") in shown.text
    await leader.choose(shown.choices[1], shown)                       # Reject
    ask = await leader.next_message()
    await leader.choose(ask.choices[0], ask)                           # Logged twice
    done = await leader.next_message()
    assert ("Removed" if lang == "en" else "Đã loại") in done.text
    await drain_now(world.services)
    told = await mai.wait_for(lambda m: "không tính vào số liệu" in m.text)
    assert "Lý do: Ghi trùng" in told.text                              # in Mai's language
    assert await _week_citizens(world, "member_1") == 0


async def test_the_export_marks_flagged_sessions(quiet_world: World) -> None:
    import io

    from openpyxl import load_workbook

    world = quiet_world
    mai = world.person("member_1")
    await _log(mai, "cks 150")                                          # flagged, open
    await _log(mai, "vneid 3")                                          # ordinary
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "tháng", "11/2026")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    sheet = load_workbook(io.BytesIO(await coordinator.download(message))).worksheets[0]
    header = [c.value for c in sheet[2]]
    assert header[6:9] == ["Ghi chú", "Xem lại", "Minh chứng"]
    marks = {row[5]: row[7] for row in sheet.iter_rows(min_row=3, values_only=True)
             if isinstance(row[5], int) and row[3]}                    # not the total row
    assert marks == {150: "cần xem lại", 3: None}


async def test_a_flag_shows_in_approve_and_an_approved_month_keeps_its_flagged_session(
        quiet_world: World) -> None:
    """The commune coordinator sees the open flag before approving; once the month is
    approved, rejecting that session in /review is refused with the lock's answer."""
    from datetime import UTC, datetime

    world = quiet_world
    world.clock.now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)       # November is over
    mai, leader = world.person("member_1"), world.person("team_leader")
    assert "Đã lưu" in await _log(mai, "cks 150 20/11")
    await leader.wait_for(lambda m: "cần anh/chị xem lại" in m.text)   # the daily nudge

    coordinator = world.person("commune_coordinator")
    await coordinator.command("approve", "2026-11")
    summary = (await coordinator.next_message()).text
    assert "Còn 1 buổi bị đánh dấu bất thường chưa xử lý (xem /review)" in summary
    await coordinator.press("✅ Duyệt tháng")
    assert "✅ Đã duyệt tháng 11/2026 của Xã Vị Thủy." in (await coordinator.next_message()).text

    await leader.command("review")
    assert "Có 1 buổi cần xem lại" in (await leader.next_message()).text
    shown = await leader.next_message()
    await leader.press("❌ Loại bỏ", message=shown)
    answer = await leader.next_message()
    if "Vì sao loại buổi này" in answer.text:
        await leader.send("gõ nhầm")
        answer = await leader.next_message()
    assert "🔒 tháng 11/2026 của Xã Vị Thủy" in answer.text
    mai_id = await _member_id(world, "member_1")
    assert [s.citizens for s in await world.services.read.sessions.latest_of(mai_id)] == [150]
