"""The activity report as a workbook a provincial office can paste into its own report.

Pure apart from writing the file: rows already read from the database and the reader's labels
come in, the file's bytes go out. It is written as the rows come, by our own streaming writer
(:mod:`bot.core.xlsx_stream`, for speed): the sessions sheet a day at a time while they
are read (:meth:`ActivityWorkbook.add_day`), then the summary sheets a chunk at a time
(:meth:`ActivityWorkbook.summaries`), so a province's month never sits in memory as cells and
the caller can report progress between steps. Every sheet has a title row (scope and period), a
bold frozen header row, set column widths, numbers as numbers and dates as dates. Sheets:

* sessions — one line per logged session (notes were masked when they were logged);
* per team and per commune — sessions and citizens per category, zeros included;
* members by month — one row per member × month with sessions and citizens per category: the
  record the province pays the members' allowance on, so silent members appear with zeros;
* completeness, and one allowance sheet per whole month of the period (steering_sheets.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.completeness import Completeness, TeamActivity
from bot.core.models import Category
from bot.core.xlsx_stream import BOLD, MAX_ROWS, MONTH, Inline, StreamingWorkbook
from handlers.render.steering_sheets import (
    CHUNK,
    AllowanceMonth,
    allowance_sheet,
    completeness_sheet,
)
from storage.repos.sessions import DayRow, SessionNames
from storage.repos.tallies import MemberMonthRow, PlaceRow

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"

#: Translate a label key (``export.col.date``...) with optional placeholders.
Label = Callable[..., str]

#: Sessions a sheet can list: the rest of its rows are the title, the header, the note that
#: the list was cut (see :meth:`ActivityWorkbook.end_sessions`) and the total.
SESSION_ROOM = MAX_ROWS - 4


@dataclass(frozen=True)
class ExportData:
    """What the summary sheets show; the sessions come apart, streamed."""

    title: str                    # "Báo cáo hoạt động — Xã Vị Thủy — tháng 11/2026"
    categories: Sequence[Category]
    teams: Sequence[PlaceRow]
    communes: Sequence[PlaceRow]
    members: Sequence[MemberMonthRow]
    completeness: Sequence[Completeness] = ()
    #: The teams of the period (natural order) with their sessions on time, under completeness.
    teams_on_time: Sequence[TeamActivity] = ()
    allowance: Sequence[AllowanceMonth] = ()
    place: str = ""
    #: Formats đồng and dates for the reader (the allowance sheets).
    money: Callable[[int], str] = str
    date_text: Callable[[date], str] = date.isoformat
    #: A session is on time when logged within this many days of its date (the setting).
    on_time_days: int = 3


def cell_text(book: StreamingWorkbook, value: str) -> str:
    return book.cell(value)


#: Spreadsheet programs run a CSV field starting with these as a formula ("CSV injection").
FORMULA_START = ("=", "+", "-", "@")


class ActivityWorkbook:
    """The workbook being written: :meth:`add_day` for each day's sessions in order,
    :meth:`end_sessions`, then every step of :meth:`summaries`, then :meth:`save`. Steps may
    run in different threads, one after the other (never two at once)."""

    def __init__(self, title: str, categories: Sequence[Category], label: Label,
                 lang: str) -> None:
        self.label, self.lang = label, lang
        self.book = StreamingWorkbook()
        self.sessions = 0   # written to the sessions sheet so far
        self.citizens = 0
        self._out = self.book.sheet(label("export.sheet.sessions"),
                                    widths=[12, 22, 18, 26, 32, 12, 40, 16, 30], freeze=2)
        self._out.title(title)
        self._out.header([label("export.col.date"), label("export.col.commune"),
                          label("export.col.team"), label("export.col.member"),
                          label("export.col.category"), label("export.col.citizens"),
                          label("export.col.note"), label("export.col.review"),
                          label("export.col.evidence")])
        self._review = {"open": cell_text(self.book, label("export.review_open")),
                        "confirmed": cell_text(self.book, label("export.review_confirmed"))}
        self._no_link = label("export.evidence_no_link")
        self._categories = {c.id: c.label(lang) for c in categories}
        #: (member, team, commune code) → (sheet order, its three name cells' XML).
        self._people: dict[tuple[int, int | None, str | None], tuple[int, str]] = {}
        #: (category, citizens) → the two cells' XML.
        self._tails: dict[tuple[int, int], str] = {}

    @property
    def full(self) -> bool:
        """The sessions sheet has no room for another session."""
        return self.sessions >= SESSION_ROOM

    def add_day(self, day: date, rows: Sequence[DayRow], names: SessionNames,
                links: Mapping[str, str] | None = None) -> None:
        """Append a day's sessions (raw rows in the order logged) in sheet order, as many as
        the sheet has room for (see :attr:`full`).

        The hot path of a big export (664,213 rows for a month of the largest province), so
        each row is made of cell XML made once per distinct value: the three name cells per
        member and place, the category and citizens cells per pair, the day's cell per day."""
        cell, people, tails, categories = (self.book.cell, self._people, self._tails,
                                           self._categories)
        orders: list[int] = []
        made: list[str] = []
        citizens = 0
        review, empty = self._review, "<c/>"
        for member_id, team_id, code, category_id, helped, note, flag, photo in rows:
            who = people.get((member_id, team_id, code))
            if who is None:
                order, *named = names.person(member_id, team_id, code)
                who = people[(member_id, team_id, code)] = (
                    order, "".join(cell(n) for n in named))
            tail = tails.get((category_id, helped))
            if tail is None:
                tail = tails[(category_id, helped)] = cell(
                    categories.get(category_id) or str(category_id)) + cell(helped)
            orders.append(who[0])
            citizens += helped
            # A note is the one value that does not repeat: written into its cell, not shared.
            if not flag and not photo:
                made.append(who[1] + tail + cell(Inline(note)) if note else who[1] + tail)
                continue
            # The few flagged or photographed sessions: the review and evidence columns.
            extra = (cell(Inline(note)) if note else empty) + (
                review.get(flag, empty) if flag else empty)
            if photo:   # a link that expires (FILE_LINK_TTL_HOURS), or why there is none
                extra += cell(Inline((links or {}).get(photo) or self._no_link))
            made.append(who[1] + tail + extra)
        # In sheet order; a stable sort of integers, so one person's sessions stay as logged.
        ordered = sorted(range(len(made)), key=orders.__getitem__)
        room = SESSION_ROOM - self.sessions
        if len(ordered) > room:
            citizens -= sum(rows[i][4] for i in ordered[room:])
            del ordered[room:]
        self._out.append_made(cell(day), [made[i] for i in ordered])
        self.sessions += len(ordered)
        self.citizens += citizens

    def end_sessions(self, cut_note: str | None = None) -> None:
        """The total row; first ``cut_note`` (how many sessions did not fit), if some did not."""
        if cut_note:
            self._out.append([cut_note])
        if self.sessions:
            self._out.styled([None, None, None, None, self.label("export.col.total"),
                              self.citizens, None, None, None], BOLD)

    def summaries(self, data: ExportData) -> Iterator[int]:
        """Write the other sheets, yielding the rows written after each chunk of them."""
        label, lang = self.label, self.lang
        yield from _places_sheet(self.book, label("export.sheet.teams"), data, data.teams,
                                 label, lang, with_team=True)
        yield from _places_sheet(self.book, label("export.sheet.communes"), data,
                                 data.communes, label, lang, with_team=False)
        yield from _members_sheet(self.book, data, label, lang)
        if data.completeness:
            yield from completeness_sheet(self.book, data.completeness, data.title, label,
                                          data.on_time_days, data.teams_on_time)
        for month in data.allowance:
            yield from allowance_sheet(self.book, month, label(
                "allowance.sheet_title", place=data.place, month=f"{month.month:%m/%Y}"),
                label, data.money, data.date_text)

    def save(self) -> bytes:
        return self.book.close()


def build_members_csv(data: ExportData, label: Label, lang: str) -> bytes:
    """The members-by-month table as CSV, UTF-8 with a BOM so Excel shows Vietnamese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_member_header(data, label, lang))
    for row in _member_rows(data):
        writer.writerow([f"{v:%m/%Y}" if isinstance(v, date) else _inert(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _inert(value: object) -> object:
    """In CSV there are no cell types: a leading apostrophe keeps such text as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# ---------------------------------------------------------------------------- summary sheets

def _category_header(data: ExportData, label: Label, lang: str) -> list[str]:
    header: list[str] = []
    for category in data.categories:
        header.append(label("export.col.cat_sessions", category=category.label(lang)))
        header.append(label("export.col.cat_citizens", category=category.label(lang)))
    return header


def _category_cells(data: ExportData, tallies: dict[int, tuple[int, int]]) -> list[int]:
    cells: list[int] = []
    for category in data.categories:
        sessions, citizens = tallies.get(category.id, (0, 0))
        cells += [sessions, citizens]
    cells.append(sum(t[0] for t in tallies.values()))
    cells.append(sum(t[1] for t in tallies.values()))
    return cells


def _places_sheet(book: StreamingWorkbook, name: str, data: ExportData,
                  places: Sequence[PlaceRow], label: Label, lang: str, *,
                  with_team: bool) -> Iterator[int]:
    lead = [label("export.col.commune")]
    if with_team:
        lead.append(label("export.col.team"))
    lead.append(label("export.col.members"))
    header = [*lead, *_category_header(data, label, lang), label("export.col.total_sessions"),
              label("export.col.total_citizens")]
    widths = [22, *([18] if with_team else []), 10, *([14] * (len(header) - len(lead)))]
    out = book.sheet(name, widths=widths, freeze=2)
    out.title(data.title)
    out.header(header)
    totals = [0] * (len(header) - len(lead) + 1)  # the members column, then every number
    for count, place in enumerate(places, start=1):
        head: list[object] = [place.commune_name]
        if with_team:
            head.append(place.team_name or "")
        numbers = [place.members, *_category_cells(data, place.by_category)]
        out.append([*head, *numbers])
        totals = [t + v for t, v in zip(totals, numbers, strict=True)]
        if count % CHUNK == 0:
            yield CHUNK
    if places:
        # "Total" under the names, then the sum of every numeric column (members included).
        out.styled([label("export.col.total"), *([""] * (len(lead) - 2)), *totals], BOLD)
    yield len(places) % CHUNK


def _member_header(data: ExportData, label: Label, lang: str) -> list[str]:
    return [label("export.col.month"), label("export.col.commune"), label("export.col.team"),
            label("export.col.member"), *_category_header(data, label, lang),
            label("export.col.total_sessions"), label("export.col.total_citizens")]


def _member_rows(data: ExportData) -> Iterator[list[object]]:
    for m in data.members:
        yield [m.month, m.commune_name, m.team_name, m.member_name,
               *_category_cells(data, m.by_category)]


def _members_sheet(book: StreamingWorkbook, data: ExportData, label: Label,
                   lang: str) -> Iterator[int]:
    header = _member_header(data, label, lang)
    out = book.sheet(label("export.sheet.members"), dates=MONTH,
                     widths=[10, 22, 18, 26, *([14] * (len(header) - 4))], freeze=2)
    out.title(data.title)
    out.header(header)
    for count, row in enumerate(_member_rows(data), start=1):
        out.append(row)
        if count % CHUNK == 0:
            yield CHUNK
    yield len(data.members) % CHUNK
