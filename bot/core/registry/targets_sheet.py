"""The registry file's "Chỉ tiêu" (Targets) sheet: one target per row.

Columns (forgiving headers, any order): the commune (code or name; blank: the province), the
team (blank: the whole commune), the category (code or name; blank or "Tất cả": all), the period
(a month "2026-11", "11/2026" or a quarter "Q4/2026", "quý 4/2026" — always with its year) and
the target (citizens helped; 0 removes it). Whether the category and team exist is checked when
the plan is applied, against the database; everything else here. Errors come back as
(sheet, row, column header, message key, params) for the validator to turn into RowErrors.

Pure apart from reading the workbook bytes with openpyxl.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict

from bot.core.registry.geo import CommuneIndex, CommuneLookupError
from bot.core.registry.raw_sheet import HEADER_SCAN_ROWS, MAX_ROWS, cell_text, is_targets_sheet
from bot.core.targets import MAX_TARGET, TargetKind, parse_count, parse_target_period
from bot.core.text import fold, tidy

#: Any date will do: a period in the file must name its year, so nothing is relative to it.
_NO_TODAY = date(2000, 1, 1)
_YEAR = re.compile(r"\b\d{4}\b")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-01$")   # a month Excel turned into a date

_COLUMNS: dict[str, tuple[str, ...]] = {
    "commune_code": ("ma xa", "ma phuong/xa", "ma xa/phuong", "ma don vi", "commune code",
                     "ward code", "code"),
    "commune": ("xa/phuong", "phuong/xa", "xa", "phuong", "ten xa", "ten xa/phuong",
                "don vi", "commune", "ward", "commune/ward"),
    "team": ("to", "ten to", "to cns", "ap/khu vuc", "ap", "khu vuc", "team", "team name"),
    "category": ("noi dung", "noi dung ho tro", "loai ho tro", "nhom viec", "linh vuc",
                 "category"),
    "period": ("ky", "thang/quy", "thoi gian", "ky chi tieu", "period", "month/quarter"),
    "value": ("chi tieu", "so nguoi dan", "chi tieu nguoi dan", "target", "citizens"),
}
_HEADERS = {alias: name for name, aliases in _COLUMNS.items() for alias in aliases}
_REQUIRED = ("period", "value")


def _key(cell: str) -> str:
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", cell)
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9/ ]", " ", fold(text))).strip()


class TargetRecord(BaseModel):
    """A target as the file gives it; ``citizens`` None removes the target."""

    model_config = ConfigDict(frozen=True)

    sheet: str
    row: int
    commune_code: str | None     # None: the province
    team_name: str | None        # None: the whole commune (or province)
    category: str                # as typed; "" means all categories
    period_kind: TargetKind
    period_start: date
    citizens: int | None


Problem = tuple[str, int, str | None, str, dict[str, str]]


@dataclass
class TargetsSheet:
    found: bool = False
    records: list[TargetRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_targets(data: bytes, index: CommuneIndex) -> TargetsSheet:
    """The targets sheet of an XLSX registry (``found`` False when there is none)."""
    result = TargetsSheet()
    if not data.startswith(b"PK"):
        return result  # CSV: one sheet only, which is the members'
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return result  # the registry reader reports a broken file
    try:
        for sheet in book.worksheets:
            if is_targets_sheet(str(sheet.title)):
                result.found = True
                _read_sheet(result, str(sheet.title),
                            [[cell_text(v) for v in row]
                             for row in sheet.iter_rows(values_only=True)], index)
    finally:
        book.close()
    return result


def _read_sheet(result: TargetsSheet, name: str, rows: list[list[str]],
                index: CommuneIndex) -> None:
    header_at, columns = -1, {}
    for number, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {_HEADERS[_key(c)]: i for i, c in enumerate(cells) if _key(c) in _HEADERS}
        if all(column in found for column in _REQUIRED):
            header_at, columns = number, found
            break
    if header_at < 0:
        result.problems.append((name, 0, None, "registry.error.targets_no_header",
                                {"sheet": name}))
        return
    headers = rows[header_at]
    seen: dict[tuple[str | None, str, str, str, date], int] = {}
    for number, cells in enumerate(rows[header_at + 1:header_at + 1 + MAX_ROWS],
                                   start=header_at + 2):
        line = _Row(name, number, cells, columns, headers, result.problems)
        if not any(line.get(c) for c in _COLUMNS):
            continue
        record = line.record(index)
        if record is None:
            continue
        identity = (record.commune_code, fold(record.team_name or ""), fold(record.category),
                    record.period_kind, record.period_start)
        if identity in seen:
            line.problem("value", "target_duplicate", other_row=str(seen[identity]))
            continue
        seen[identity] = number
        result.records.append(record)


@dataclass
class _Row:
    sheet: str
    number: int
    cells: list[str]
    columns: dict[str, int]
    headers: list[str]
    problems: list[Problem]

    def get(self, column: str) -> str:
        at = self.columns.get(column)
        return tidy(self.cells[at]) if at is not None and at < len(self.cells) else ""

    def problem(self, column: str, key: str, **params: str) -> None:
        at = self.columns.get(column)
        self.problems.append((self.sheet, self.number, self.headers[at] if at is not None
                              else None, f"registry.error.{key}", params))

    def record(self, index: CommuneIndex) -> TargetRecord | None:
        problems = len(self.problems)
        commune_code: str | None = None
        typed = self.get("commune_code") or self.get("commune")
        if typed:
            try:
                commune_code = index.resolve(typed).code
            except CommuneLookupError as exc:
                self.problem("commune_code" if self.get("commune_code") else "commune",
                             exc.code.removeprefix("registry.error."), **exc.params)
        team = self.get("team") or None
        if team and not typed:
            self.problem("team", "target_team_without_commune")
        period_text = self.get("period")
        iso = _ISO_DAY.match(period_text)
        period = (parse_target_period(f"{iso[1]}-{iso[2]}", _NO_TODAY) if iso else
                  parse_target_period(period_text, _NO_TODAY) if _YEAR.search(period_text)
                  else None)
        if period is None:
            self.problem("period", "target_bad_period", value=period_text[:30])
        value_text = self.get("value")
        value = parse_count(value_text) if value_text else None
        if value is None or value > MAX_TARGET:
            self.problem("value", "target_bad_value", value=value_text[:20],
                         max=str(MAX_TARGET))
        category = self.get("category")
        if fold(category) in {"tat ca", "tong", "tong cong", "all", "total", "*"}:
            category = ""
        if len(self.problems) > problems or period is None or value is None:
            return None
        return TargetRecord(sheet=self.sheet, row=self.number, commune_code=commune_code,
                            team_name=team, category=category, period_kind=period.kind,
                            period_start=period.start, citizens=value or None)
