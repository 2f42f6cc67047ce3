"""Completeness and targets end to end: a hand-built week and targets set through the bot,
seen in /stats, /team, the digests and the export."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from bot.app.demo import PERSONA_IDS
from storage.repos import Repos
from tests.harness.factories import log_session
from tests.harness.world import World

VI_THUY = "31441"


async def _members_of(world: World, team: str) -> list[int]:
    read = world.services.read
    found = await read.teams.find(VI_THUY, team)
    assert found is not None
    return [m.id for m in await read.members.in_team(found.id)]


async def _persona(world: World, key: str) -> int:
    member = await world.services.read.members.by_identity("telegram", str(PERSONA_IDS[key]))
    assert member is not None
    return member.id


async def _hand_built_week(world: World) -> None:
    """Week 16–22/11: two members of Ấp 1 and one of Ấp 2 log; one of Ấp 10 logged on 10/11
    (the week before, 13 days before Monday 23/11: quiet, not yet silent)."""
    db, clock = world.services.db, world.clock
    ap2, ap10 = (await _members_of(world, "Ấp 2"))[0], (await _members_of(world, "Ấp 10"))[0]
    mai, sang = await _persona(world, "member_1"), await _persona(world, "member_2")
    await log_session(db, clock, mai, "cks", 3, date(2026, 11, 17), "w1")
    await log_session(db, clock, mai, "vneid", 2, date(2026, 11, 19), "w2")
    await log_session(db, clock, sang, "cks", 4, date(2026, 11, 18), "w3")
    await log_session(db, clock, ap2, "dvc", 5, date(2026, 11, 20), "w4")
    await log_session(db, clock, ap10, "cks", 1, date(2026, 11, 10), "w5")


async def test_completeness_of_a_hand_built_week(quiet_world: World) -> None:
    world = quiet_world
    await _hand_built_week(world)
    read = world.services.read
    teams = await read.teams.in_commune(VI_THUY)
    members = sum([len(await read.members.in_team(t.id)) for t in teams])
    assert (len(teams), members) == (17, 123)      # the demo registry's Vị Thủy

    coordinator = world.person("commune_coordinator")
    await coordinator.command("stats", "tuần", "trước")
    text = (await coordinator.next_message()).text
    assert "📅 Kỳ tuần 16/11–22/11/2026:" in text
    assert "• 4 buổi hỗ trợ · 14 lượt người dân" in text
    assert "• Tổ đã báo cáo: 2/17 (12%)" in text                # 2 of 17 = 11.8%
    assert "• Thành viên có hoạt động: 3/123 (2%)" in text      # 3 of 123 = 2.4%
    # 17 teams, less Ấp 1, Ấp 2 (this week) and Ấp 10 (13 days ago): in natural order.
    assert ("⚠️ Tổ im lặng từ 2 tuần trở lên (14): Ấp 3, Ấp 4, Ấp 5A, Ấp 5B, Ấp 6, Ấp 7, "
            "Ấp 8, Ấp 9 và 6 nơi khác") in text

    await coordinator.command("digest", "last")
    digest = await coordinator.wait_for(lambda m: bool(m.photo), timeout=15)
    assert "📋 Báo cáo: 2/17 tổ (12%) · 3/123 thành viên có hoạt động" in digest.text
    assert "Theo tổ:\nẤp 1: 9 · Ấp 2: 5 · Ấp 3: 0" in digest.text  # natural order there too
    assert "Ấp 9: 0 · Ấp 10: 0 · Ấp 11: 0" in digest.text

    province = world.person("province_coordinator")
    await province.command("digest", "last")
    whole = await province.wait_for(lambda m: bool(m.photo), timeout=15)
    full = whole.text
    if "Xếp hạng theo tỷ lệ" not in full:     # a long digest: chart first, then the text
        full = (await province.next_message()).text
    assert "Xếp hạng theo tỷ lệ tổ báo cáo:\n• #1 Xã Vị Thủy: 2/17 tổ (12%)" in full

    await coordinator.command("export", "tuần", "trước")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    rows = list(book["Đầy đủ báo cáo"].iter_rows(values_only=True))
    assert rows[2][:3] == ("Xã/phường", "Số tổ", "Tổ đã báo cáo")
    vi_thuy = rows[3]
    assert vi_thuy[:3] == ("Xã Vị Thủy", 17, 2)
    assert round(vi_thuy[3], 4) == round(2 / 17, 4)
    assert vi_thuy[4:6] == (123, 3)
    assert vi_thuy[7] == 14
    assert str(vi_thuy[8]).startswith("Ấp 3, Ấp 4, Ấp 5A")
    assert book["Đầy đủ báo cáo"]["D4"].number_format == "0.00%"


async def test_a_coordinator_sets_targets_and_sees_progress(quiet_world: World) -> None:
    world = quiet_world
    db, clock = world.services.db, world.clock
    mai = await _persona(world, "member_1")
    for n, day in enumerate((3, 9, 16, 22)):                     # 80 by Sunday 22/11
        await log_session(db, clock, mai, "cks", 20, date(2026, 11, day), f"t{n}")
    await log_session(db, clock, mai, "cks", 7, date(2026, 10, 30), "oct")   # not November

    province = world.person("province_coordinator")
    await province.command("target", "Vị Thủy", "cks", "100")
    answer = (await province.next_message()).text
    assert ("🎯 Đã đặt chỉ tiêu cho Xã Vị Thủy: ✍️ Chữ ký số công cộng, tháng 11/2026: "
            "100 người dân.") in answer
    # 22 of November's 30 days are over on Monday 23/11: 74 due (100 × 22 / 30, rounded up).
    on_track = "🟡 ✍️ Chữ ký số công cộng — tháng 11/2026: 80/100 (cần 74 đến nay)"
    assert on_track in answer
    await province.command("target", "Ấp", "1", "Vị", "Thủy", "vneid", "10")   # a team
    assert "Ấp 1, Xã Vị Thủy" in (await province.next_message()).text
    await province.command("target", "quý", "này", "tong", "2.000")           # the province
    assert "quý 4/2026: 2.000 người dân" in (await province.next_message()).text

    coordinator = world.person("commune_coordinator")
    await coordinator.command("stats")
    stats = (await coordinator.next_message()).text
    assert "🎯 Chỉ tiêu (số người dân được hỗ trợ):" in stats
    assert on_track in stats
    assert "🔴 Chậm so với chỉ tiêu: Ấp 1" in stats                # drilling down

    await coordinator.command("digest", "last")
    digest = await coordinator.wait_for(lambda m: bool(m.photo), timeout=15)
    assert on_track in digest.text                                  # counted to Sunday 22/11

    leader = world.person("team_leader")
    await leader.command("team")
    team = (await leader.next_message()).text
    assert "🔴 🪪 Định danh điện tử VNeID mức 2 — tháng 11/2026: 0/10 (cần 8 đến nay)" in team

    await province.command("stats")
    whole = (await province.next_message()).text
    # 87 in Q4 (October's 7 too); 53 of Q4's 92 days are over: 1,153 due (2,000 × 53 / 92).
    assert "🔴 Tất cả nội dung — quý 4/2026: 87/2.000 (cần 1.153 đến nay)" in whole

    await coordinator.command("target", "Vị", "Thủy", "cks", "5")
    assert "/target chỉ dành cho" in (await coordinator.next_message()).text
    await coordinator.command("lang", "en")
    await coordinator.next_message()
    await coordinator.command("stats")
    english = (await coordinator.next_message()).text
    assert "🎯 Targets (citizens helped):" in english
    assert "🟡 ✍️ Public digital signature — Nov 2026: 80/100 (due by now: 74)" in english

    await province.command("target", "Vị", "Thủy", "cks", "xoa")
    assert "Đã bỏ chỉ tiêu" in (await province.next_message()).text
    async with db.write() as conn:
        audit = await Repos(conn).audit.latest(limit=4)
    assert [e.action for e in audit[:4]] == ["target.remove", "denied", "target.set",
                                             "target.set"]


async def test_an_older_week_is_picked_with_buttons(quiet_world: World) -> None:
    world = quiet_world
    await _hand_built_week(world)
    coordinator = world.person("commune_coordinator")
    await coordinator.command("digest")
    await coordinator.next_message()
    await coordinator.press("📚 Tuần khác…")
    weeks = await coordinator.next_message()
    assert weeks.buttons[0] == "tuần 09/11–15/11/2026"
    await coordinator.press("tuần 09/11–15/11/2026")
    digest = await coordinator.wait_for(lambda m: bool(m.photo), timeout=15)
    assert "Xã Vị Thủy — tuần 09/11/2026–15/11/2026" in digest.text
    assert "Người dân được hỗ trợ: 1" in digest.text               # Ấp 10's one on 10/11

    await coordinator.command("stats", "2026-10")
    october = await coordinator.next_message()
    assert "📅 Kỳ tháng 10/2026:" in october.text
    assert october.buttons == ["◀ tháng 09/2026", "tháng 11/2026 ▶", "🔄 Hiện tại"]
    await coordinator.press("tháng 11/2026 ▶")
    november = await coordinator.next_message()
    assert "📅 Kỳ tháng 11/2026:" in november.text
    assert "• 5 buổi hỗ trợ · 15 lượt người dân" in november.text
    assert "tháng 12/2026 ▶" not in november.buttons               # never into the future
