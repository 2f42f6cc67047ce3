"""The activity report as a workbook a provincial office can paste into its own report.

Pure apart from openpyxl: it takes rows already read from the database and the reader's labels,
and returns bytes. Every sheet has a title row (scope and period), a bold frozen header row, set
column widths, numbers as numbers and dates as dates. Sheets:

* sessions — one line per logged session (notes were masked when they were logged);
* per team and per commune — sessions and citizens per category, zeros included;
* members by month — one row per member × month with sessions and citizens per category: the
  record the province pays the members' allowance on, so silent members appear with zeros;
* completeness, and one allowance sheet per whole month of the period (bot/steering_sheets.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.completeness import Completeness
from bot.core.models import Category
from handlers.render.steering_sheets import AllowanceMonth, allowance_sheet, completeness_sheet
from storage.repos.exports import MemberMonthRow, PlaceRow, SessionLine

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"

#: Translate a label key (``export.col.date``...) with optional placeholders.
Label = Callable[..., str]


@dataclass(frozen=True)
class ExportData:
    title: str                    # "Báo cáo hoạt động — Xã Vị Thủy — tháng 11/2026"
    categories: Sequence[Category]
    sessions: Sequence[SessionLine]
    teams: Sequence[PlaceRow]
    communes: Sequence[PlaceRow]
    members: Sequence[MemberMonthRow]
    completeness: Sequence[Completeness] = ()
    allowance: Sequence[AllowanceMonth] = ()
    place: str = ""
    #: Formats đồng and dates for the reader (the allowance sheets).
    money: Callable[[int], str] = str
    date_text: Callable[[date], str] = date.isoformat


def build_workbook(data: ExportData, label: Label, lang: str) -> bytes:
    workbook = Workbook()
    for default_sheet in list(workbook.worksheets):
        workbook.remove(default_sheet)
    _sessions_sheet(workbook.create_sheet(label("export.sheet.sessions")), data, label, lang)
    _places_sheet(workbook.create_sheet(label("export.sheet.teams")), data, data.teams, label,
                  lang, with_team=True)
    _places_sheet(workbook.create_sheet(label("export.sheet.communes")), data, data.communes,
                  label, lang, with_team=False)
    _members_sheet(workbook.create_sheet(label("export.sheet.members")), data, label, lang)
    if data.completeness:
        completeness_sheet(workbook, data.completeness, data.title, label)
    for month in data.allowance:
        allowance_sheet(workbook, month, label("allowance.sheet_title", place=data.place,
                                               month=f"{month.month:%m/%Y}"),
                        label, data.money, data.date_text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_members_csv(data: ExportData, label: Label, lang: str) -> bytes:
    """The members-by-month table as CSV, UTF-8 with a BOM so Excel shows Vietnamese right."""
    header, rows = _member_table(data, label, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([f"{v:%m/%Y}" if isinstance(v, date) else _inert(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


#: Spreadsheet programs run a cell starting with these as a formula ("CSV injection").
_FORMULA_START = ("=", "+", "-", "@")


def _inert(value: object) -> object:
    """In CSV there are no cell types: a leading apostrophe keeps such text as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# ---------------------------------------------------------------------------- sheets

def _sessions_sheet(sheet: Worksheet, data: ExportData, label: Label, lang: str) -> None:
    names = {c.id: c.label(lang) for c in data.categories}
    header = [label("export.col.date"), label("export.col.commune"), label("export.col.team"),
              label("export.col.member"), label("export.col.category"),
              label("export.col.citizens"), label("export.col.note")]
    rows: list[list[object]] = [
        [s.session_date, s.commune_name, s.team_name, s.member_name,
         names.get(s.category_id, str(s.category_id)), s.citizens, s.note or ""]
        for s in data.sessions
    ]
    if rows:
        rows.append(["", "", "", "", label("export.col.total"), sum(s.citizens for s in
                                                                    data.sessions), ""])
    _write(sheet, data.title, header, rows, widths=[12, 22, 18, 26, 32, 12, 40],
           date_format="DD/MM/YYYY", total_row=True)


def _category_header(data: ExportData, label: Label, lang: str) -> list[str]:
    header: list[str] = []
    for category in data.categories:
        header.append(label("export.col.cat_sessions", category=category.label(lang)))
        header.append(label("export.col.cat_citizens", category=category.label(lang)))
    return header


def _category_cells(data: ExportData, tallies: dict[int, tuple[int, int]]) -> list[object]:
    cells: list[object] = []
    for category in data.categories:
        sessions, citizens = tallies.get(category.id, (0, 0))
        cells += [sessions, citizens]
    cells.append(sum(t[0] for t in tallies.values()))
    cells.append(sum(t[1] for t in tallies.values()))
    return cells


def _places_sheet(sheet: Worksheet, data: ExportData, places: Sequence[PlaceRow],
                  label: Label, lang: str, *, with_team: bool) -> None:
    lead = [label("export.col.commune")]
    if with_team:
        lead.append(label("export.col.team"))
    lead.append(label("export.col.members"))
    header = [*lead, *_category_header(data, label, lang), label("export.col.total_sessions"),
              label("export.col.total_citizens")]
    rows: list[list[object]] = []
    for place in places:
        head: list[object] = [place.commune_name]
        if with_team:
            head.append(place.team_name or "")
        head.append(place.members)
        rows.append([*head, *_category_cells(data, place.by_category)])
    if rows:
        rows.append(_total_row(rows, len(lead), label))
    widths = [22, *([18] if with_team else []), 10, *([14] * (len(header) - len(lead)))]
    _write(sheet, data.title, header, rows, widths=widths, total_row=True)


def _member_table(data: ExportData, label: Label, lang: str
                  ) -> tuple[list[str], list[list[object]]]:
    header = [label("export.col.month"), label("export.col.commune"), label("export.col.team"),
              label("export.col.member"), *_category_header(data, label, lang),
              label("export.col.total_sessions"), label("export.col.total_citizens")]
    rows: list[list[object]] = [
        [m.month, m.commune_name, m.team_name, m.member_name,
         *_category_cells(data, m.by_category)]
        for m in data.members
    ]
    return header, rows


def _members_sheet(sheet: Worksheet, data: ExportData, label: Label, lang: str) -> None:
    header, rows = _member_table(data, label, lang)
    widths = [10, 22, 18, 26, *([14] * (len(header) - 4))]
    _write(sheet, data.title, header, rows, widths=widths, date_format="MM/YYYY")


def _total_row(rows: list[list[object]], text_columns: int, label: Label) -> list[object]:
    """"Total" under the names, then the sum of every numeric column (members included)."""
    total: list[object] = [label("export.col.total"), *([""] * (text_columns - 2))]
    for column in range(text_columns - 1, len(rows[0])):
        total.append(sum(v for r in rows if isinstance(v := r[column], int)))
    return total


def _write(sheet: Worksheet, title: str, header: list[str], rows: list[list[object]], *,
           widths: list[int], date_format: str | None = None,
           total_row: bool = False) -> None:
    sheet.append([title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    sheet.append(header)
    bold = Font(bold=True)
    for cell in sheet[2]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Cells are reached by their known row (sheet.max_row scans every cell: quadratic).
    for number, row in enumerate(rows, start=3):
        sheet.append(row)
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and value.startswith(_FORMULA_START):
                # text a member typed is never run as a formula
                sheet.cell(row=number, column=column).data_type = "s"
    if date_format is not None:
        for (cell,) in sheet.iter_rows(min_row=3, max_col=1):
            if isinstance(cell.value, date):
                cell.number_format = date_format
    if total_row and rows:
        for column in range(1, len(rows[-1]) + 1):
            sheet.cell(row=2 + len(rows), column=column).font = bold
    sheet.freeze_panes = "A3"  # the title and the header stay in view
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
