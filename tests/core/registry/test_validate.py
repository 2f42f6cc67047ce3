from __future__ import annotations

import pytest

from bot.core.registry.cell_values import parse_role, split_team_name
from bot.core.registry.error_text import render_error
from bot.core.registry.geo import CommuneIndex
from bot.core.registry.plan import RegistryPlan, RowError
from bot.core.registry.raw_sheet import RegistryFileError
from bot.core.registry.reader import read_registry
from bot.core.registry.validate import plan_from_file, validate
from bot.core.roles import Role
from locales import translator
from tests.harness.registry_files import Rows, csv_text, xlsx

HEADER = ["Mã xã", "Xã/Phường", "Tổ", "Họ và tên", "SĐT", "Vai trò", "Ngôn ngữ"]


def _plan(rows: list[list[object]], teams: list[list[object]] | None = None) -> RegistryPlan:
    sheets: dict[str, Rows] = {"Thành viên": [HEADER, *rows]}
    if teams is not None:
        sheets["Tổ"] = [["Mã xã", "Xã/Phường", "Tổ", "Loại", "Huyện cũ", "Xã cũ"], *teams]
    return validate(read_registry(xlsx(sheets), "r.xlsx"), CommuneIndex.official("92"))


def test_good_rows() -> None:
    plan = _plan([
        ["31441", "Xã Vị Thủy", "ấp thạnh lợi", "Nguyễn Văn  An", "0912 345 678", "Tổ trưởng", ""],
        ["", "vi thuy", "Ap Thanh Loi", "Trần Thị Bình", "", "", "English"],
        ["", "Phuong Nga Bay", "kv3", "Lê Văn Cường", "+84987654321", "thanh vien", "vi"],
        ["", "", "", "Phạm Thị Dung", "0901234567", "Điều phối tỉnh", ""],
        ["31441", "", "", "Võ Văn Em", "0901234568", "dieu phoi xa", ""],
        ["", "", "", "Huỳnh Văn Phúc", "0901234569", "admin", ""],
    ], teams=[["31441", "", "Thạnh Lợi", "ấp", "Huyện Vị Thủy", "Xã Vị Thủy"]])
    assert plan.errors == []
    assert [(t.commune_code, t.name, t.kind, t.former_district) for t in plan.teams] == [
        ("31441", "Ấp Thạnh Lợi", "hamlet", "Huyện Vị Thủy"),
        ("31340", "Khu vực 3", "area", None),
    ]
    an, binh, cuong, dung, em, phuc = plan.members
    assert (an.full_name, an.phone, an.role, an.team_name, an.row) == (
        "Nguyễn Văn An", "0912345678", Role.TEAM_LEADER, "Ấp Thạnh Lợi", 2)
    assert binh.phone is None
    assert binh.language == "en"
    assert binh.key == ("31441", "ap thanh loi", "tran thi binh")
    assert binh.team_name == "Ấp Thạnh Lợi"  # the teams sheet spelling wins
    assert cuong.commune_code == "31340"
    assert cuong.language == "vi"
    assert (dung.role, dung.commune_code, dung.team_name) == (
        Role.PROVINCE_COORDINATOR, None, None)
    assert (em.role, em.commune_code, em.team_name) == (Role.COMMUNE_COORDINATOR, "31441", None)
    assert phuc.role == Role.ADMIN
    assert an.key == "0912345678"


BAD_ROWS: list[tuple[list[object], str, str | None]] = [
    (["31441", "", "Ấp 1", "Nguyễn Văn An", "0912345678", "", ""], "", None),  # row 2: fine
    (["", "Hà Nội", "Ấp 1", "Trần Văn B", "", "", ""], "unknown_commune", "Xã/Phường"),
    (["31441", "", "Ấp 1", "Lê Văn C", "0123", "", ""], "bad_phone", "SĐT"),
    (["31441", "", "", "Phạm Văn D", "0912000001", "", ""], "missing_team", "Tổ"),
    (["31441", "", "Ấp 1", "", "0912000002", "", ""], "missing_name", "Họ và tên"),
    (["31441", "", "Ấp 1", "Võ Văn E", "0912000003", "trưởng thôn", ""], "unknown_role",
     "Vai trò"),
    (["31441", "", "Ấp 1", "Hồ Văn G", "0912 345 678", "", ""], "duplicate_phone", "SĐT"),
    (["31441", "", "Ấp 2", "Ngô Văn H", "", "", "fr"], "unknown_language", "Ngôn ngữ"),
    (["31441", "Phường Ngã Bảy", "Ấp 1", "Đỗ Văn I", "", "", ""], "code_name_mismatch",
     "Xã/Phường"),
    (["31441", "", "Ấp 1", "X" * 101, "", "", ""], "name_too_long", "Họ và tên"),
    (["99999", "", "Ấp 1", "Bùi Văn K", "", "", ""], "unknown_commune", "Mã xã"),
    (["", "", "Ấp 1", "Bùi Văn L", "", "", ""], "missing_commune", "Xã/Phường"),
    (["31441", "", "ấp 2", "ngô văn h", "", "", ""], "duplicate_member", "Họ và tên"),
]


def test_one_error_per_bad_row() -> None:
    plan = _plan([row for row, _, _ in BAD_ROWS])
    expected = [(n, f"registry.error.{code}", column)
                for n, (_, code, column) in enumerate(BAD_ROWS, start=2) if code]
    assert [(e.row, e.code, e.column) for e in plan.errors] == expected
    assert all(e.sheet == "Thành viên" for e in plan.errors)
    assert [m.row for m in plan.members] == [2]
    by_code = {e.code.rsplit(".", 1)[1]: e for e in plan.errors}
    assert by_code["duplicate_phone"].params == {"value": "0912345678", "other_row": "2"}
    assert by_code["bad_phone"].params == {"value": "0123"}
    assert by_code["unknown_role"].params == {"value": "trưởng thôn"}
    assert by_code["code_name_mismatch"].params == {"code": "31441", "name": "Phường Ngã Bảy"}
    assert by_code["duplicate_member"].params == {"name": "ngô văn h", "other_row": "9"}


def test_all_errors_of_a_row_are_collected() -> None:
    plan = _plan([["31441", "", "Ấp 1", "", "12", "boss", "fr"]])
    assert sorted(e.code for e in plan.errors) == [
        "registry.error.bad_phone", "registry.error.missing_name",
        "registry.error.unknown_language", "registry.error.unknown_role"]


def test_team_conflicts_and_kinds() -> None:
    plan = _plan([], teams=[
        ["31441", "", "Ấp 1", "ấp", "Huyện Vị Thủy", ""],
        ["31441", "", "ap 1", "", "Huyện Long Mỹ", ""],
        ["31441", "", "Khu vực 2", "ấp", "", ""],
        ["31441", "", "Ấp 3", "làng", "", ""],
        ["31441", "", "Xã Vị Thủy", "", "", ""],
        ["31441", "", "Tổ 5", "", "", ""],
        ["31441", "", "Tổ ấp Thạnh Lợi", "", "", ""],
    ])
    assert [(e.row, e.code) for e in plan.errors] == [
        (3, "registry.error.team_conflict"), (4, "registry.error.kind_mismatch"),
        (5, "registry.error.unknown_kind")]
    assert [(t.name, t.kind) for t in plan.teams] == [
        ("Ấp 1", "hamlet"), ("Xã Vị Thủy", "commune"), ("Tổ 5", "area"),
        ("Ấp Thạnh Lợi", "hamlet")]


@pytest.mark.parametrize(("text", "role"), [
    ("", Role.MEMBER), ("Thành viên", Role.MEMBER), ("member", Role.MEMBER),
    ("TO TRUONG", Role.TEAM_LEADER), ("team leader", Role.TEAM_LEADER),
    ("Điều phối xã", Role.COMMUNE_COORDINATOR), ("commune coordinator", Role.COMMUNE_COORDINATOR),
    ("dieu phoi tinh", Role.PROVINCE_COORDINATOR), ("Quản trị", Role.ADMIN), ("admin", Role.ADMIN),
    ("phó chủ tịch", None),
])
def test_parse_role(text: str, role: Role | None) -> None:
    assert parse_role(text) is role


def test_split_team_name() -> None:
    assert split_team_name("kv3") == ("area", "Khu vực", "3")
    assert split_team_name("Tổ CNS ấp Long Hòa A") == ("hamlet", "Ấp", "Long Hòa A")
    assert split_team_name("Thạnh Lợi") == (None, None, "Thạnh Lợi")


def test_rendered_messages() -> None:
    translate = translator()
    plan = _plan([row for row, _, _ in BAD_ROWS])
    bad_phone = next(e for e in plan.errors if e.code == "registry.error.bad_phone")
    vi = render_error(translate, "vi", bad_phone)
    assert vi.startswith("Thành viên, dòng 4: số điện thoại «0123» không hợp lệ.")
    en = render_error(translate, "en", bad_phone)
    assert en.startswith("Thành viên, row 4: phone number «0123» is not valid.")
    for err in plan.errors:
        for lang in ("vi", "en"):
            text = render_error(translate, lang, err)
            assert "registry." not in text, text
            assert "{" not in text, text


def test_rendered_file_errors() -> None:
    translate = translator()
    missing = RegistryFileError("registry.error.missing_columns",
                                {"sheet": "m.csv", "columns": "commune,full_name"})
    assert render_error(translate, "vi", missing) == (
        "«m.csv» thiếu cột: «Mã xã» hoặc «Xã/Phường», «Họ và tên». "
        "Vui lòng thêm các cột này vào dòng tiêu đề.")
    assert "missing columns" in render_error(translate, "en", missing)
    plan = plan_from_file(b"", "empty.csv", "92")
    assert [e.code for e in plan.errors] == ["registry.error.empty_file"]
    assert render_error(translate, "vi", plan.errors[0]).startswith("Tệp trống.")
    file_level = RowError(sheet="", row=0, column=None, code="registry.error.no_header")
    assert render_error(translate, "en", file_level).startswith("No header row")


def test_csv_members_plan() -> None:
    text = csv_text([HEADER, ["31441", "", "Ấp 1", "An", "0912345678", "", ""]], ";")
    plan = plan_from_file(text.encode(), "members.csv", "92")
    assert plan.ok
    assert plan.members[0].sheet == "members.csv"
