"""The export's own XLSX writer: a file every part of which is well-formed XML, that openpyxl
opens with the values, styles and layout written, and where no text ever becomes a formula."""

from __future__ import annotations

import io
import math
import zipfile
from datetime import date
from xml.dom.minidom import parseString

from openpyxl import load_workbook

from bot.core.xlsx_stream import (
    BOLD_DONG,
    DONG,
    MONTH,
    PERCENT,
    PLAIN,
    Inline,
    StreamingWorkbook,
    sheet_name,
)

FORMULA = '=HYPERLINK("http://x.example","bấm")'


def _book() -> bytes:
    book = StreamingWorkbook()
    sessions = book.sheet("Buổi hỗ trợ", widths=[12, 30], freeze=2)
    sessions.title("Báo cáo <tháng 11> & \"tổ\"")
    sessions.header(["Ngày", "Ghi chú"])
    sessions.append([date(2026, 11, 3), FORMULA])
    sessions.append([date(2026, 11, 3), Inline("+84 912 \x07bell\x00")])
    sessions.append([date(2026, 11, 4), Inline(FORMULA)])
    sessions.append([None, "", 7, 2.5])
    money = book.sheet("Phụ cấp: 2026/11 [bản nháp] rất rất dài tên", freeze=9)
    for line in ("Quy định", "Cách tính"):
        money.append([line])
    money.append([])
    money.styled(["Ấp 1", 600_000, 0.25, date(2026, 11, 1)], [PLAIN, DONG, PERCENT, MONTH])
    money.styled(["Tổng", 1_200_000, None], [PLAIN, BOLD_DONG, BOLD_DONG])
    book.sheet("Phụ cấp: 2026/11 [bản nháp] rất rất dài tên")  # the same name again
    return book.close()


def test_every_part_is_well_formed_xml() -> None:
    with zipfile.ZipFile(io.BytesIO(_book())) as package:
        names = package.namelist()
        assert "[Content_Types].xml" in names
        assert "xl/sharedStrings.xml" in names
        for name in names:
            parseString(package.read(name))  # raises on anything malformed
        assert b"<f>" not in b"".join(package.read(n) for n in names)


def test_openpyxl_reads_back_values_styles_and_layout() -> None:
    book = load_workbook(io.BytesIO(_book()))
    assert book.sheetnames == ["Buổi hỗ trợ", "Phụ cấp  2026 11  bản nháp  rất",
                               "Phụ cấp  2026 11  bản nháp  r~2"]
    sessions = book["Buổi hỗ trợ"]
    assert sessions["A1"].value == 'Báo cáo <tháng 11> & "tổ"'
    assert sessions["A1"].font.bold
    assert sessions["A2"].font.bold
    assert sessions["A2"].alignment.wrap_text
    assert sessions.freeze_panes == "A3"
    assert sessions.column_dimensions["B"].width == 30
    assert sessions["A3"].value.date() == date(2026, 11, 3)
    assert sessions["A3"].number_format == "DD/MM/YYYY"
    # Typed text comes back as the text typed, shared or inline: never a formula.
    for ref in ("B3", "B5"):
        assert sessions[ref].value == FORMULA
        assert sessions[ref].data_type == "s"
    assert sessions["B4"].value == "+84 912 bell"  # what XML cannot carry is dropped
    assert [c.value for c in sessions[6]] == [None, None, 7, 2.5]

    money = book.worksheets[1]
    assert money.freeze_panes == "A10"
    row = list(money[4])
    assert [c.value for c in row[:3]] == ["Ấp 1", 600_000, 0.25]
    assert [c.number_format for c in row] == ["General", "#,##0", "0.00%", "MM/YYYY"]
    assert not row[1].font.bold
    total = money[5]
    assert total[1].font.bold
    assert total[1].number_format == "#,##0"
    assert total[2].value is None


def test_sheet_names_excel_accepts() -> None:
    assert sheet_name("a/b:c?d*e[f]g\\h") == "a b c d e f g h"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("Tổ", ["tổ"]) == "Tổ~2"


def test_a_nan_or_an_infinity_is_an_empty_cell_in_a_file_that_opens() -> None:
    book = StreamingWorkbook()
    sheet = book.sheet("Tỉ lệ")
    sheet.append(["Ấp 1", math.nan, math.inf, 0.5])
    sheet.styled(["Ấp 2", -math.inf, math.nan, 0.25], [PLAIN, PERCENT, DONG, PERCENT])
    data = book.close()

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    # What Excel refuses as a corrupt file: a number cell holding nan or inf.
    assert "nan" not in xml
    assert "inf" not in xml
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active]
    assert rows == [["Ấp 1", None, None, 0.5], ["Ấp 2", None, None, 0.25]]
