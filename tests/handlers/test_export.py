"""/export through the real bot: the workbook each scope gets, opened with openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook

from bot.app.demo import PERSONA_IDS
from storage.repos import Repos
from tests.harness.factories import log_session
from tests.harness.world import World

NOV = date(2026, 11, 1)


async def _member_id(world: World, persona: str) -> int:
    member = await world.services.read.members.by_identity("telegram",
                                                           str(PERSONA_IDS[persona]))
    assert member is not None
    return member.id


async def _seed(world: World) -> None:
    db, clock = world.services.db, world.clock
    mai = await _member_id(world, "member_1")
    sang = await _member_id(world, "member_2")
    admin = await _member_id(world, "admin")  # a member of Khu vực 6, Phường Vị Thanh
    await log_session(db, clock, mai, "cks", 3, date(2026, 11, 3), "e1", note="ở nhà văn hóa")
    await log_session(db, clock, mai, "vneid", 5, date(2026, 11, 10), "e2")
    await log_session(db, clock, sang, "cks", 2, date(2026, 11, 17), "e3")
    await log_session(db, clock, sang, "cks", 4, date(2026, 10, 30), "e4")  # October
    await log_session(db, clock, admin, "dvc", 7, date(2026, 11, 12), "e5")


def _rows(sheet: object) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


async def test_a_commune_coordinator_exports_their_commune(quiet_world: World) -> None:
    world = quiet_world
    await _seed(world)
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "tháng", "11/2026")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    assert "Xã Vị Thủy" in message.text
    assert "3 buổi" in message.text
    assert "10 lượt" in message.text
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    assert book.sheetnames == ["Buổi hỗ trợ", "Theo tổ", "Theo xã phường",
                               "Thành viên theo tháng", "Đầy đủ báo cáo", "Phụ cấp 2026-11"]

    sessions = book["Buổi hỗ trợ"]
    rows = _rows(sessions)
    assert "Xã Vị Thủy" in str(rows[0][0])
    assert "tháng 11/2026" in str(rows[0][0])
    assert rows[1][:6] == ("Ngày", "Xã/phường", "Tổ", "Thành viên", "Nội dung hỗ trợ",
                           "Số người dân")
    assert sessions.freeze_panes == "A3"
    assert sessions["A2"].font.bold
    data = rows[2:-1]
    assert [(r[0], r[3], r[5]) for r in data] == [
        (datetime(2026, 11, 3), "Nguyễn Thị Mai", 3),
        (datetime(2026, 11, 10), "Nguyễn Thị Mai", 5),
        (datetime(2026, 11, 17), "Nguyễn Thanh Sang", 2),
    ]
    assert data[0][4] == "Chữ ký số công cộng"
    assert data[0][6] == "ở nhà văn hóa"
    assert rows[-1][5] == 10  # the total, a number
    assert sessions.column_dimensions["D"].width > 20

    teams = _rows(book["Theo tổ"])
    ap1 = next(r for r in teams if r[1] == "Ấp 1")
    header = teams[1]
    assert ap1[header.index("Tổng số người dân")] == 10
    assert ap1[header.index("Chữ ký số công cộng — số người dân")] == 5
    assert ap1[header.index("Định danh điện tử VNeID mức 2 — số buổi")] == 1
    assert {r[0] for r in teams[2:-1]} == {"Xã Vị Thủy"}  # nothing from another commune

    communes = _rows(book["Theo xã phường"])
    assert [r[0] for r in communes[2:]] == ["Xã Vị Thủy", "Tổng cộng"]

    members = _rows(book["Thành viên theo tháng"])
    mheader = members[1]
    body = members[2:]
    total_col = mheader.index("Tổng số người dân")
    by_name = {r[3]: r for r in body}
    assert by_name["Nguyễn Thị Mai"][total_col] == 8
    assert by_name["Nguyễn Thanh Sang"][total_col] == 2  # October's session is not counted
    # Everyone in the commune is listed, silent members with zeros (the allowance record).
    read = world.services.read
    in_commune = 0
    for team in await read.teams.in_commune("31441"):
        in_commune += len(await read.members.in_team(team.id))
    assert len(body) == in_commune
    silent = [r for r in body if r[total_col] == 0]
    assert silent
    assert all(isinstance(v, int) for v in silent[0][4:])
    assert body[0][0] == datetime(2026, 11, 1)
    assert book["Thành viên theo tháng"]["A3"].number_format == "MM/YYYY"


async def test_another_commune_is_refused_politely_and_logged(quiet_world: World) -> None:
    world = quiet_world
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "tháng này", "Vị Thanh")
    refusal = await coordinator.next_message()
    assert refusal.document is None
    assert "Phường Vị Thanh" in refusal.text
    assert "Điều phối viên" in refusal.text
    entry = (await world.services.read.audit.latest(1, action="denied"))[0]
    assert entry.target == "/export Phường Vị Thanh"
    assert entry.actor_name == "Đỗ Tấn Phong"


async def test_a_province_coordinator_picks_the_whole_province_with_buttons(
    quiet_world: World,
) -> None:
    world = quiet_world
    await _seed(world)
    coordinator = world.person("province_coordinator")
    await coordinator.command("export")
    assert "khoảng thời gian" in (await coordinator.next_message()).text
    await coordinator.press("Tháng này")
    places = await coordinator.next_message()
    assert "Xã Vị Thủy" in places.buttons
    await coordinator.press("Toàn thành phố")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=90)
    book = load_workbook(io.BytesIO(await coordinator.download(message)), read_only=True)
    communes = _rows(book["Theo xã phường"])
    header = communes[1]
    col = header.index("Tổng số người dân")
    by_commune = {r[0]: r[col] for r in communes[2:]}
    assert by_commune["Xã Vị Thủy"] == 10
    assert by_commune["Phường Vị Thanh"] == 7
    assert by_commune["Tổng cộng"] == 17
    assert len(communes) - 3 == 28  # every commune with teams, zeros included


async def test_a_team_scope_and_csv(quiet_world: World) -> None:
    world = quiet_world
    await _seed(world)
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "csv", "tháng này", "Ấp 1")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    assert message.document is not None
    assert str(message.document["file_name"]).endswith(".csv")
    content = await coordinator.download(message)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Vietnamese
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Tháng", "Xã/phường", "Tổ", "Thành viên"]
    assert {r[2] for r in rows[1:]} == {"Ấp 1"}
    mai = next(r for r in rows if r[3] == "Nguyễn Thị Mai")
    assert mai[0] == "11/2026"
    assert mai[-1] == "8"
    async with world.services.db.write() as conn:
        entry = (await Repos(conn).audit.latest(1, action="export"))[0]
    assert entry.details["format"] == "csv"


async def test_stats_for_the_callers_scope(quiet_world: World) -> None:
    world = quiet_world
    await _seed(world)  # clock: Monday 23/11/2026; nothing logged this week yet
    mai = await _member_id(world, "member_1")
    await log_session(world.services.db, world.clock, mai, "cks", 6, date(2026, 11, 23), "s1")
    coordinator = world.person("commune_coordinator")
    await coordinator.command("stats")
    text = (await coordinator.next_message()).text
    assert "Số liệu — Xã Vị Thủy" in text
    week, month = text.split("Tháng này")[0], text.split("Tháng này")[1]
    assert "1 buổi hỗ trợ · 6 lượt người dân" in week
    assert "4 buổi hỗ trợ · 16 lượt người dân" in month
    assert "Chữ ký số công cộng: 11 người dân (3 buổi)" in month

    province = world.person("province_coordinator")
    await province.command("stats")
    text = (await province.next_message()).text
    assert "5 buổi hỗ trợ · 23 lượt người dân" in text
    assert "• Xã Vị Thủy: 16 người dân" in text
    assert "• Phường Vị Thanh: 7 người dân" in text


async def test_text_a_member_typed_is_never_a_formula_in_the_export(quiet_world: World) -> None:
    world = quiet_world
    mai = await _member_id(world, "member_1")
    await log_session(world.services.db, world.clock, mai, "cks", 1, date(2026, 11, 3), "f1",
                      note='=HYPERLINK("http://x.example","bấm")')
    coordinator = world.person("commune_coordinator")
    await coordinator.command("export", "tháng", "11/2026")
    message = await coordinator.wait_for(lambda m: m.document is not None, timeout=20)
    book = load_workbook(io.BytesIO(await coordinator.download(message)))
    cells = [c for row in book["Buổi hỗ trợ"].iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(cells) == 1
    assert cells[0].data_type == "s"  # stored as text, shown as typed
