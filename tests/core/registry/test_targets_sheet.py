"""The registry file's targets sheet: read and checked, applied with the import, and /import
through the bot."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.registry.error_text import render_error
from bot.core.registry.validate import plan_from_file
from locales import translator
from storage.registry_import import import_plan
from storage.repos import Repos
from tests.harness.registry_files import xlsx
from tests.harness.small_province import Small
from tests.harness.world import World

MEMBERS = [["Mã xã", "Tổ", "Họ và tên"], ["31441", "Ấp 1", "Trần Thị Hoa"]]
TARGETS = [
    ["Chỉ tiêu tổ công nghệ số năm 2026"],                       # a title above the header
    ["Xã/Phường", "Tổ", "Nội dung", "Kỳ", "Chỉ tiêu (người dân)"],
    ["", "", "Tất cả", "Q4/2026", "5000"],                       # the province
    ["Vị Thủy", "", "cks", "2026-11", "200"],                    # a commune
    ["31441", "ấp 1", "Định danh điện tử", "11/2026", "1.500"],  # a team, any spelling
    ["Vị Thủy", "", "dvc", datetime(2026, 12, 1), "0"],          # a month Excel made a date
]


def test_the_sheet_is_read_into_targets_beside_the_members() -> None:
    plan = plan_from_file(xlsx({"Thành viên": MEMBERS, "Chỉ tiêu": TARGETS}), "r.xlsx", "92")
    assert plan.errors == []
    assert len(plan.members) == 1                    # the targets sheet is not read as people
    assert [(t.commune_code, t.team_name, t.category, t.period_kind, t.period_start,
             t.citizens) for t in plan.targets] == [
        (None, None, "", "quarter", date(2026, 10, 1), 5000),
        ("31441", None, "cks", "month", date(2026, 11, 1), 200),
        ("31441", "ấp 1", "Định danh điện tử", "month", date(2026, 11, 1), 1500),
        ("31441", None, "dvc", "month", date(2026, 12, 1), None),
    ]


def test_bad_rows_are_named_by_sheet_row_and_column() -> None:
    rows = [TARGETS[1],
            ["Xã Không Có", "", "cks", "2026-11", "10"],
            ["", "Ấp 1", "cks", "2026-11", "10"],
            ["Vị Thủy", "", "cks", "tháng 11", "10"],              # no year
            ["Vị Thủy", "", "cks", "2026-11", "nhiều"],
            ["Vị Thủy", "", "CKS", "2026-11", "20"],
            ["Vị Thủy", "", "cks", "11/2026", "30"]]               # the same as the row above
    plan = plan_from_file(xlsx({"Targets": rows}), "t.xlsx", "92")  # a file of targets only
    t = translator()
    shown = [render_error(t, "vi", e) for e in plan.errors]
    assert shown == [
        "Targets, dòng 2: không tìm thấy xã/phường «Xã Không Có» trong danh sách chính thức. "
        "Vui lòng kiểm tra lại mã xã hoặc tên xã/phường (theo đơn vị hành chính mới từ "
        "01/07/2025).",
        "Targets, dòng 3: có tên tổ nhưng thiếu xã/phường của tổ.",
        "Targets, dòng 4: kỳ «tháng 11» chưa đúng: ghi một tháng (2026-11, 11/2026) hoặc "
        "một quý (Q4/2026, quý 4/2026), có ghi năm.",
        "Targets, dòng 5: chỉ tiêu «nhiều» phải là số nguyên từ 0 đến 1.000.000 (0 để bỏ "
        "chỉ tiêu).",
        "Targets, dòng 7: trùng chỉ tiêu đã ghi ở dòng 6.",
    ]
    assert [e.column for e in plan.errors[:2]] == ["Xã/Phường", "Tổ"]


async def test_targets_apply_with_the_import_and_unknown_ones_reject_it(small: Small) -> None:
    read = Repos(small.db.reader)
    good = xlsx({"Chỉ tiêu": [TARGETS[1], ["Vị Thủy", "Ấp 10", "vneid", "2026-11", "40"],
                              ["", "", "", "Q4/2026", "900"]]})
    summary = await import_plan(small.db, plan_from_file(good, "c.xlsx", "92"), province_code="92",
                                now=small.clock())
    assert (summary.applied, summary.targets, summary.changes) == (True, 2, 2)
    found = await read.targets.covering(date(2026, 11, 5))
    assert sorted((t.scope_kind, t.scope_id, t.citizens) for t in found) == [
        ("province", "92", 900), ("team", str(small.teams["a10"]), 40)]
    again = await import_plan(small.db, plan_from_file(good, "c.xlsx", "92"), province_code="92",
                              now=small.clock())
    assert again.changes == 0                           # the same file changes nothing

    bad = xlsx({"Chỉ tiêu": [TARGETS[1], ["Vị Thủy", "Ấp 99", "vneid", "2026-11", "1"],
                             ["Vị Thủy", "", "bánh mì", "2026-11", "1"],
                             ["", "", "", "Q4/2026", "1"]]})
    rejected = await import_plan(small.db, plan_from_file(bad, "b.xlsx", "92"), province_code="92",
                                 now=small.clock())
    assert not rejected.applied
    assert [e.code for e in rejected.errors] == ["registry.error.target_unknown_team",
                                                 "registry.error.target_unknown_category"]
    assert {t.citizens for t in await read.targets.covering(date(2026, 11, 5))} == {900, 40}


async def test_an_admin_imports_targets_through_the_bot(world: World) -> None:
    admin = world.person("admin")
    rows = [TARGETS[1], ["Vị Thủy", "", "cks", "2026-11", "200"],
            ["Vị Thủy", "Ấp 1", "vneid", "2026-11", "30"]]
    await admin.upload("chi-tieu.xlsx", xlsx({"Chỉ tiêu": rows}), caption="/import",
                       as_document=True)
    checked = await admin.wait_for(lambda m: "Kiểm tra xong" in m.text, timeout=10)
    assert "Chỉ tiêu: 2 được đặt, đổi hoặc bỏ." in checked.text
    assert await world.services.read.targets.covering(date(2026, 11, 23)) == []  # dry run
    await admin.press("✅ Xác nhận nhập")
    await admin.wait_for(lambda m: "Đã nhập danh sách" in m.text, timeout=10)
    assert len(await world.services.read.targets.covering(date(2026, 11, 23))) == 2
    coordinator = world.person("commune_coordinator")
    await coordinator.command("stats")
    assert "— tháng 11/2026: " in (await coordinator.next_message()).text
