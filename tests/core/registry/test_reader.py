from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bot.core.registry.raw_sheet import Field, RegistryFileError, match_header
from bot.core.registry.reader import read_registry, read_registry_file
from tests.harness.registry_files import cp1258, csv_text, xlsx

MEMBERS: list[list[object]] = [
    ["Mã xã", "Xã/Phường", "Tổ", "Họ và tên", "Số điện thoại", "Vai trò", "Ngôn ngữ"],
    ["31441", "Xã Vị Thủy", "Ấp 1", "Nguyễn Văn An", "0912 345 678", "tổ trưởng", ""],
    ["", "vi thuy", "Ấp 1", "Trần Thị Bình", "", "", "en"],
]


@pytest.mark.parametrize(("header", "field"), [
    ("Mã xã", Field.COMMUNE_CODE), ("Mã phường/xã", Field.COMMUNE_CODE),
    ("Ma xa", Field.COMMUNE_CODE), ("commune_code", Field.COMMUNE_CODE),
    ("Commune code", Field.COMMUNE_CODE), ("Xã/Phường", Field.COMMUNE_NAME),
    ("Phường / Xã", Field.COMMUNE_NAME), ("XÃ", Field.COMMUNE_NAME),
    ("Commune", Field.COMMUNE_NAME),
    ("Tổ", Field.TEAM), ("Tên tổ", Field.TEAM), ("Ấp/Khu vực", Field.TEAM), ("Team", Field.TEAM),
    ("Loại", Field.TEAM_KIND), ("Kind", Field.TEAM_KIND),
    ("Huyện cũ", Field.FORMER_DISTRICT), ("Former district", Field.FORMER_DISTRICT),
    ("Xã cũ", Field.FORMER_COMMUNE), ("Former commune", Field.FORMER_COMMUNE),
    ("Họ và tên", Field.FULL_NAME), ("Họ tên", Field.FULL_NAME), ("ho va ten (*)", Field.FULL_NAME),
    ("Full name", Field.FULL_NAME), ("Name", Field.FULL_NAME),
    ("Số điện thoại", Field.PHONE), ("SĐT", Field.PHONE), ("sdt", Field.PHONE),
    ("Điện thoại", Field.PHONE), ("Phone", Field.PHONE),
    ("Vai trò", Field.ROLE), ("Chức vụ", Field.ROLE), ("Role", Field.ROLE),
    ("Ngôn ngữ", Field.LANGUAGE), ("Language", Field.LANGUAGE),
])
def test_header_aliases(header: str, field: Field) -> None:
    assert match_header(header) is field


@pytest.mark.parametrize("header", ["STT", "Ghi chú", "", "Ngày sinh"])
def test_unknown_headers(header: str) -> None:
    assert match_header(header) is None


def _check_members(data: bytes, filename: str) -> None:
    registry = read_registry(data, filename)
    (sheet,) = registry.sheets
    assert sheet.kind == "members"
    assert [row.row for row in sheet.rows] == [2, 3]
    first = sheet.rows[0]
    assert first.get(Field.FULL_NAME) == "Nguyễn Văn An"
    assert first.get(Field.PHONE) == "0912 345 678"
    assert sheet.rows[1].get(Field.COMMUNE_NAME) == "vi thuy"
    assert sheet.rows[1].get(Field.LANGUAGE) == "en"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(delimiter: str) -> None:
    _check_members(csv_text(MEMBERS, delimiter).encode(), "members.csv")


def test_csv_with_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf" + csv_text(MEMBERS, ";").replace("\n", "\r\n").encode()
    _check_members(data, "members.csv")


def test_csv_utf16_and_cp1258() -> None:
    _check_members(csv_text(MEMBERS, "\t").encode("utf-16"), "members.txt")
    data = cp1258(csv_text(MEMBERS))
    assert data.decode("cp1258") != csv_text(MEMBERS)  # really decomposed
    _check_members(data, "members.csv")


def test_csv_english_headers_blank_rows_and_quotes() -> None:
    text = (
        "Commune code,Commune,Team,Full name,Phone,Role,Language\n"
        "\n"
        ',,,,,,\n'
        '31441,"Xã Vị Thủy","Ấp 1","Nguyễn Văn An, Jr",0912345678,member,\n'
    )
    registry = read_registry(text.encode(), "m.csv")
    rows = registry.sheets[0].rows
    assert [r.row for r in rows] == [4]
    assert rows[0].get(Field.FULL_NAME) == "Nguyễn Văn An, Jr"


def test_csv_title_rows_above_header() -> None:
    rows: list[list[object]] = [["DANH SÁCH TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"], [], *MEMBERS]
    registry = read_registry(csv_text(rows).encode(), "m.csv")
    assert registry.sheets[0].header_row == 3
    assert [r.row for r in registry.sheets[0].rows] == [4, 5]


def test_teams_csv() -> None:
    rows = [["Mã xã", "Tổ", "Loại", "Huyện cũ"], ["31441", "Thạnh Lợi", "ấp", "Vị Thủy"]]
    registry = read_registry(csv_text(rows).encode(), "teams.csv")
    assert registry.sheets[0].kind == "teams"
    assert registry.sheets[0].rows[0].get(Field.FORMER_DISTRICT) == "Vị Thủy"


def test_xlsx_sheets_and_row_numbers() -> None:
    members: list[list[object]] = [
        ["Danh sách thành viên"], [], MEMBERS[0], MEMBERS[1], [], [], MEMBERS[2]]
    members[3] = ["31441", "Xã Vị Thủy", "Ấp 1", "Nguyễn Văn An", 912345678, "tổ trưởng"]
    data = xlsx({
        "Hướng dẫn": [["Điền danh sách vào trang Thành viên"]],
        "Thành viên": members,
        "Tổ": [["Xã", "Ấp/Khu vực", "Loại"], ["Vị Thủy", "Ấp 2", "ấp"]],
    })
    registry = read_registry(data, "registry.xlsx")
    assert [s.name for s in registry.sheets] == ["Thành viên", "Tổ"]
    people, teams = registry.sheets
    assert people.kind == "members"
    assert teams.kind == "teams"
    assert [r.row for r in people.rows] == [4, 7]
    assert people.rows[0].get(Field.PHONE) == "912345678"
    assert people.rows[0].get(Field.COMMUNE_CODE) == "31441"
    assert people.headers[Field.FULL_NAME] == "Họ và tên"
    assert [r.row for r in teams.rows] == [2]


def test_xlsx_first_sheet_with_names_is_members() -> None:
    data = xlsx({"Sheet1": [["Commune", "Team", "Name", "Phone"], ["Vị Thủy", "Ấp 1", "An", ""]]})
    (sheet,) = read_registry(data, "x.xlsx").sheets
    assert sheet.kind == "members"
    assert sheet.name == "Sheet1"


def test_read_from_path(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(csv_text(MEMBERS), encoding="utf-8")
    assert read_registry_file(path).row_count == 2
    with pytest.raises(RegistryFileError) as caught:
        read_registry_file(tmp_path / "missing.csv")
    assert caught.value.code == "registry.error.unreadable_file"


def _code(data: bytes, filename: str, **kwargs: int) -> str:
    with pytest.raises(RegistryFileError) as caught:
        read_registry(data, filename, **kwargs)
    return caught.value.code


def test_broken_files() -> None:
    rng_bytes = bytes((i * 7919 + 13) % 256 for i in range(5000))
    assert _code(rng_bytes, "registry.xlsx") == "registry.error.corrupt_file"
    assert _code(rng_bytes, "registry.csv") == "registry.error.not_spreadsheet"
    assert _code(b"PK\x03\x04garbage" * 10, "r.xlsx") == "registry.error.corrupt_file"
    assert _code(b"", "r.csv") == "registry.error.empty_file"
    assert _code(b"  \r\n ", "r.csv") == "registry.error.empty_file"
    assert _code(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "r.xls") \
        == "registry.error.old_excel"
    assert _code(b"a,b,c\n1,2,3\n", "r.csv") == "registry.error.no_header"
    assert _code(csv_text(MEMBERS[:1]).encode(), "r.csv") == "registry.error.no_rows"
    assert _code(xlsx({"Sheet": [["a"], ["b"]]}), "r.xlsx") == "registry.error.no_header"
    assert _code(xlsx({"Thành viên": [["a"], ["b"]]}), "r.xlsx") \
        == "registry.error.sheet_no_header"


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert _code(path.read_bytes(), "a.xlsx") == "registry.error.not_spreadsheet"


def test_missing_columns() -> None:
    data = csv_text([["Họ và tên", "Số điện thoại"], ["An", "0912345678"]]).encode()
    with pytest.raises(RegistryFileError) as caught:
        read_registry(data, "m.csv")
    assert caught.value.code == "registry.error.missing_columns"
    assert caught.value.params == {"sheet": "m.csv", "columns": "commune,team"}


def test_duplicate_column() -> None:
    data = csv_text([["Xã", "Tổ", "Họ tên", "Họ và tên"], ["a", "b", "c", "d"]]).encode()
    assert _code(data, "m.csv") == "registry.error.duplicate_column"


def test_limits() -> None:
    rows = [MEMBERS[0]] + [MEMBERS[1]] * 20
    data = csv_text(rows).encode()
    assert _code(data, "m.csv", max_rows=10) == "registry.error.too_many_rows"
    assert _code(data, "m.csv", max_bytes=100) == "registry.error.file_too_large"
    big = xlsx({"Thành viên": rows})
    assert _code(big, "m.xlsx", max_rows=10) == "registry.error.too_many_rows"
