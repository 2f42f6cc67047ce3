"""The activity report as a workbook a provincial office can paste into its own report.

Pure apart from writing the file: it takes rows already read from the database and the reader's
labels, and returns bytes. Every sheet has a title row (scope and period), a bold frozen header
row, set column widths, numbers as numbers and dates as dates. Sheets:

* sessions — one line per logged session (notes were masked when they were logged);
* per team and per commune — sessions and citizens per category, zeros included;
* members by month — one row per member × month with sessions and citizens per category: the
  record the province pays the members' allowance on, so silent members appear with zeros.

The sessions sheet is streamed (:mod:`bot.xlsx_stream`): a month of a large province is half a
million rows, read from the database while the file is written, never all held at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from bot.xlsx_stream import StreamingWorkbook
from storage.models import Category
from storage.repos.exports import MemberMonthRow, PlaceRow, SessionLine

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
#: How often (in session rows) the progress callback hears how far the sessions sheet got.
PROGRESS_EVERY = 10_000

#: Translate a label key (``export.col.date``...) with optional placeholders.
Label = Callable[..., str]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportData:
    title: str                    # "Báo cáo hoạt động — Xã Vị Thủy — tháng 11/2026"
    categories: Sequence[Category]
    #: Read once, while the sheet is written (a generator over a database cursor is fine).
    sessions: Iterable[SessionLine]
    teams: Sequence[PlaceRow]
    communes: Sequence[PlaceRow]
    members: Sequence[MemberMonthRow]


def build_workbook(data: ExportData, label: Label, lang: str,
                   progress: Progress | None = None) -> bytes:
    """The workbook; ``progress(n)`` is called every :data:`PROGRESS_EVERY` session rows."""
    book = StreamingWorkbook()
    _sessions_sheet(book, data, label, lang, progress)
    _places_sheet(book, label("export.sheet.teams"), data, data.teams, label, lang,
                  with_team=True)
    _places_sheet(book, label("export.sheet.communes"), data, data.communes, label, lang,
                  with_team=False)
    header, rows = _member_table(data, label, lang)
    book.sheet(label("export.sheet.members"), rows, title=data.title, header=header,
               widths=[10, 22, 18, 26, *([14] * (len(header) - 4))], date_format="MM/YYYY")
    return book.close()


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

def _sessions_sheet(book: StreamingWorkbook, data: ExportData, label: Label, lang: str,
                    progress: Progress | None) -> None:
    names = {c.id: c.label(lang) for c in data.categories}
    header = [label("export.col.date"), label("export.col.commune"), label("export.col.team"),
              label("export.col.member"), label("export.col.category"),
              label("export.col.citizens"), label("export.col.note")]
    counted = [0, 0]  # rows, citizens: known only once the stream has been read

    def rows() -> Iterator[tuple[object, ...]]:
        for day, commune, team, member, category, citizens, note in data.sessions:
            counted[0] += 1
            counted[1] += citizens
            if progress is not None and counted[0] % PROGRESS_EVERY == 0:
                progress(counted[0])
            yield (day, commune, team, member, names.get(category, str(category)), citizens,
                   note or "")

    book.sheet(label("export.sheet.sessions"), rows(), title=data.title, header=header,
               widths=[12, 22, 18, 26, 32, 12, 40], date_format="DD/MM/YYYY",
               total_row=lambda: ["", "", "", "", label("export.col.total"), counted[1], ""]
               if counted[0] else None)


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


def _places_sheet(book: StreamingWorkbook, name: str, data: ExportData,
                  places: Sequence[PlaceRow], label: Label, lang: str, *,
                  with_team: bool) -> None:
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
    widths = [22, *([18] if with_team else []), 10, *([14] * (len(header) - len(lead)))]
    book.sheet(name, rows, title=data.title, header=header, widths=widths,
               total_row=_total_row(rows, len(lead), label) if rows else None)


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


def _total_row(rows: list[list[object]], text_columns: int, label: Label) -> list[object]:
    """"Total" under the names, then the sum of every numeric column (members included)."""
    total: list[object] = [label("export.col.total"), *([""] * (text_columns - 2))]
    for column in range(text_columns - 1, len(rows[0])):
        total.append(sum(v for r in rows if isinstance(v := r[column], int)))
    return total
