"""Rows into an openpyxl write-only sheet, with the few styles the reports use.

Write-only mode streams each sheet's rows to a temporary file as they come, so a province's
month (half a million sessions) is never held as cells in memory. Its rules, kept here: panes
and column widths are set before the first row, and a cell with a style (bold, a number or date
format) is a :class:`~openpyxl.cell.WriteOnlyCell` made for it; plain values go as they are.

Text a member typed is never run as a formula: openpyxl would store a string starting with "="
as one, so such a cell is marked as text (and "+", "-", "@" too, which some programs run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: Spreadsheet programs run a cell starting with these as a formula ("CSV injection").
FORMULA_START = ("=", "+", "-", "@")
#: Rows a sheet may have (Excel's limit; a longer sheet is cut when opened).
MAX_ROWS = 1_048_576
#: How many rows a writer writes between two reports of its progress.
CHUNK = 5_000

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")


class SheetOut:
    """A write-only sheet and the number of rows written to it."""

    def __init__(self, book: Workbook, name: str, *, widths: Sequence[float],
                 freeze: str) -> None:
        self.sheet: WriteOnlyWorksheet = book.create_sheet(name)
        # Both go to the top of the sheet's file: they must be set before any row.
        self.sheet.freeze_panes = freeze  # the title and the header stay in view
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.rows = 0

    def title(self, text: str) -> None:
        self.append([self.cell(text, font=TITLE)])

    def header(self, names: Sequence[str]) -> None:
        self.append([self.cell(name, font=BOLD, alignment=WRAP) for name in names])

    def append(self, cells: Sequence[object]) -> int:
        """One row of values or cells; returns its number."""
        self.sheet.append(cells)
        self.rows += 1
        return self.rows

    def styled(self, values: Sequence[object], *, bold: bool = False, wrap: bool = False,
               formats: Mapping[int, str] | None = None) -> int:
        """One row whose cells are bold, wrapped, or (by column from 1) given a number format;
        blanks stay empty cells."""
        cells: list[object] = []
        for column, value in enumerate(values, start=1):
            number_format = formats.get(column) if formats else None
            if value is None or value == "" or not (bold or wrap or number_format):
                cells.append(self.inert(value))
                continue
            cells.append(self.cell(value, font=BOLD if bold else None,
                                   alignment=WRAP if wrap else None,
                                   number_format=number_format))
        return self.append(cells)

    def cell(self, value: object, *, font: Font | None = None,
             alignment: Alignment | None = None,
             number_format: str | None = None) -> WriteOnlyCell:
        made = WriteOnlyCell(self.sheet, value)
        if isinstance(value, str) and value.startswith(FORMULA_START):
            made.data_type = "s"
        if font is not None:
            made.font = font
        if alignment is not None:
            made.alignment = alignment
        if number_format is not None:
            made.number_format = number_format
        return made

    def inert(self, value: object) -> object:
        """``value`` as it is, or as a text cell if it would read as a formula."""
        if isinstance(value, str) and value.startswith(FORMULA_START):
            return self.cell(value)
        return None if value == "" else value
