"""The allowance sheets of /export, opened with openpyxl, against amounts worked out by hand
for the three provinces' rules; the rule set with /allowance through the bot."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.app.demo import PERSONA_IDS
from tests.harness.factories import log_session
from tests.harness.world import World

OCT = "tháng 10/2026"
SHEET = "Phụ cấp 2026-10"


async def _member(world: World, persona: str) -> int:
    found = await world.services.read.members.by_identity("telegram", str(PERSONA_IDS[persona]))
    assert found is not None
    return found.id


async def _seed_october(world: World) -> None:
    """Mai: 4 days on duty (5 sessions, two on the 6th); Toàn (leader): 3 days; Sang: 1 day."""
    db, clock = world.services.db, world.clock
    mai, sang, toan = [await _member(world, p) for p in ("member_1", "member_2", "team_leader")]
    for n, (who, day, citizens) in enumerate([
            (mai, 6, 2), (mai, 6, 1), (mai, 13, 3), (mai, 20, 1), (mai, 27, 4),
            (toan, 1, 2), (toan, 15, 2), (toan, 31, 5), (sang, 9, 6)]):
        await log_session(db, clock, who, "cks", citizens, date(2026, 10, day), f"oct{n}")
    await log_session(db, clock, mai, "cks", 9, date(2026, 11, 2), "nov")   # not October


Row = tuple[Any, ...]


async def _sheet(world: World, rule: str) -> tuple[list[Row], dict[str, Row], Row]:
    """Set the rule from October with /allowance, export October for Ấp 1; (preamble lines,
    member rows by name, the team's total row)."""
    if rule:
        admin = world.person("admin")
        await admin.command("allowance", "từ", "2026-10", *rule.split())
        assert "Từ tháng 10/2026" in (await admin.next_message()).text
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "tháng", "10/2026", "Ấp", "1")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    assert SHEET in book.sheetnames
    rows = list(book[SHEET].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[2] == "Thành viên")
    body = rows[head + 1:]
    members = {r[2]: r for r in body if r[2] and not str(r[2]).startswith(("Cộng", "Tổng"))}
    team = next(r for r in body if str(r[2]).startswith("Cộng tổ"))
    return rows[:head], members, team


def _preamble(rows: list[tuple[Any, ...]]) -> str:
    return "\n".join(str(r[0]) for r in rows if r and r[0])


@pytest.fixture
async def october(quiet_world: World) -> World:
    await _seed_october(quiet_world)
    return quiet_world


async def test_days_on_duty_sessions_and_citizens_per_member(october: World) -> None:
    _, members, team = await _sheet(october, "team 600000")
    # (days on duty, sessions, citizens)
    assert members["Nguyễn Thị Mai"][3:6] == (4, 5, 11)
    assert members["Lê Hữu Toàn"][3:6] == (3, 3, 9)
    assert members["Nguyễn Thanh Sang"][3:6] == (1, 1, 6)
    assert len(members) == 9                        # everyone of Ấp 1, silent ones with zeros
    assert sum(1 for r in members.values() if r[3] == 0) == 6
    assert team[3:6] == (8, 9, 26)


async def test_ha_tinh_600000_per_team_per_month(october: World) -> None:
    preamble, members, team = await _sheet(october, "team 600000")
    text = _preamble(preamble)
    assert "Quy định phụ cấp: Mỗi tổ: 600.000 đ/tháng." in text
    assert "Áp dụng từ tháng 10/2026; do Cao Đức Thắng đặt ngày 23/11/2026." in text
    assert "Ngày làm nhiệm vụ: ngày có ít nhất một buổi" in text
    assert all(r[10] == 0 for r in members.values())
    assert team[6:11] == (0, 0, 0, 600_000, 600_000)


async def test_binh_duong_60000_per_person_month_plus_150000_per_day(october: World) -> None:
    _, members, team = await _sheet(october, "member 60000 day 150000")
    assert members["Nguyễn Thị Mai"][6:11] == (60_000, 600_000, 0, None, 660_000)
    assert members["Lê Hữu Toàn"][10] == 60_000 + 3 * 150_000            # 510,000
    assert members["Nguyễn Thanh Sang"][10] == 60_000 + 150_000          # 210,000
    silent = [r for r in members.values() if r[3] == 0]
    assert {r[10] for r in silent} == {60_000}
    # 9 members × 60,000 = 540,000; 8 days × 150,000 = 1,200,000
    # 660,000 + 510,000 + 210,000 + 6 silent × 60,000 = 1,740,000
    assert team[6:11] == (540_000, 1_200_000, 0, 0, 1_740_000)


async def test_da_nang_300000_per_team_including_50000_per_person_day(october: World) -> None:
    preamble, members, team = await _sheet(october, "team 300000 day 50000 cap 300000")
    assert "Mức trần: 300.000 đ/tổ/tháng" in _preamble(preamble)
    # 8 person-days × 50,000 = 400,000 > 300,000: every part × 3/4.
    assert members["Nguyễn Thị Mai"][6:11] == (0, 200_000, -50_000, None, 150_000)
    assert members["Lê Hữu Toàn"][6:11] == (0, 150_000, -37_500, None, 112_500)
    assert members["Nguyễn Thanh Sang"][6:11] == (0, 50_000, -12_500, None, 37_500)
    assert team[6:11] == (0, 400_000, -100_000, 0, 300_000)


async def test_a_later_rule_does_not_change_an_earlier_month(october: World) -> None:
    await _sheet(october, "team 600000")
    admin = october.person("admin")
    await admin.command("allowance", "day", "1000")           # from November
    await admin.next_message()
    _, _, team = await _sheet(october, "")
    assert team[10] == 600_000
    await admin.command("allowance")
    shown = (await admin.next_message()).text
    assert "từ tháng 11/2026" in shown
    assert "Mỗi ngày làm nhiệm vụ: 1.000 đ/người" in shown
    audit = await october.services.read.audit.latest(action="allowance.set")
    assert [e.target for e in audit[:2]] == ["2026-10", "2026-11"][::-1]


async def test_bad_rules_change_nothing_and_only_admins_may_set_one(october: World) -> None:
    admin = october.person("admin")
    await admin.command("allowance", "bonus", "5000")
    assert "không nhận ra khoản “bonus”" in (await admin.next_message()).text
    assert await october.services.read.allowance.for_month(date(2026, 11, 1)) is None
    coordinator = october.person("province_coordinator")
    await coordinator.command("allowance", "team", "1")
    assert "/allowance chỉ dành cho" in (await coordinator.next_message()).text
    assert await october.services.read.allowance.for_month(date(2026, 11, 1)) is None


async def test_a_week_has_no_allowance_sheet_and_english_readers_get_english(
        october: World) -> None:
    coordinator = october.person("commune_coordinator")
    await coordinator.command("lang", "en")
    await coordinator.next_message()
    await coordinator.command("export", "last", "week")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    assert not [name for name in book.sheetnames if name.startswith("Allowance")]
    assert "Completeness" in book.sheetnames
    await coordinator.command("export", "10/2026")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    rows = list(book["Allowance 2026-10"].iter_rows(values_only=True))
    assert "No allowance rule applies to this month" in str(rows[1][0])
    header = next(r for r in rows if r[2] == "Member")
    assert header[3:6] == ("Days on duty", "Sessions", "Citizens")
