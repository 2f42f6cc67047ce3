"""The raw registry: column fields, forgiving header matching, and rows read from any sheet.

What the CSV and XLSX readers share: the file-level :class:`RegistryFileError`, the limits, the
header aliases in both languages, the raw row and sheet models, and :class:`SheetReader`, which
finds a sheet's header row and hands back every non-blank row with its 1-based row number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.core.text import fold

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
HEADER_SCAN_ROWS = 15

SheetKind = Literal["members", "teams"]


class RegistryFileError(Exception):
    """The file as a whole cannot be read; ``code`` is a message key, ``params`` placeholders.

    ``params["columns"]`` (missing_columns) is a comma-separated list of :class:`Field` values
    (plus "commune" for "code or name"), which :func:`bot.core.registry.error_text.render_error`
    translates to column labels.
    """

    def __init__(self, code: str, params: dict[str, str] | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        super().__init__(code, self.params)


class Field(StrEnum):
    COMMUNE_CODE = "commune_code"
    COMMUNE_NAME = "commune_name"
    TEAM = "team"
    TEAM_KIND = "team_kind"
    FORMER_DISTRICT = "former_district"
    FORMER_COMMUNE = "former_commune"
    FULL_NAME = "full_name"
    PHONE = "phone"
    ROLE = "role"
    LANGUAGE = "language"


def norm_header(text: str) -> str:
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    folded = fold(text).replace("_", " ").replace("&", " ")
    folded = re.sub(r"[^a-z0-9/ ]", " ", folded)
    folded = re.sub(r"\s*/\s*", "/", folded)
    return re.sub(r"\s+", " ", folded).strip()


_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.COMMUNE_CODE: (
        "Mã xã", "Mã phường/xã", "Mã xã/phường", "Mã phường", "Mã đơn vị", "Mã ĐVHC",
        "Mã đơn vị hành chính", "commune_code", "Commune code", "Ward code", "Code",
    ),
    Field.COMMUNE_NAME: (
        "Xã/Phường", "Phường/Xã", "Xã", "Phường", "Tên xã", "Tên xã/phường", "Tên phường/xã",
        "Xã, phường", "Đơn vị", "Commune", "Ward", "Commune name", "Commune/ward",
    ),
    Field.TEAM: (
        "Tổ", "Tên tổ", "Tổ CNS", "Tổ công nghệ số", "Tổ công nghệ số cộng đồng", "Ấp/Khu vực",
        "Ấp/KV", "Ấp", "Khu vực", "Tên ấp", "Tên ấp/khu vực", "Ấp, khu vực", "Team",
        "Team name", "Hamlet",
    ),
    Field.TEAM_KIND: ("Loại", "Loại tổ", "Cấp", "Kind", "Team kind", "Type"),
    Field.FORMER_DISTRICT: (
        "Huyện cũ", "Huyện", "Quận/huyện cũ", "Huyện/thị xã/thành phố cũ", "Former district",
        "District",
    ),
    Field.FORMER_COMMUNE: (
        "Xã cũ", "Phường/xã cũ", "Xã/phường cũ", "Former commune", "Former ward",
    ),
    Field.FULL_NAME: (
        "Họ và tên", "Họ tên", "Họ và tên thành viên", "Tên thành viên", "Full name", "Name",
        "Tên",
    ),
    Field.PHONE: (
        "Số điện thoại", "SĐT", "SĐT/Zalo", "Điện thoại", "ĐT", "Số ĐT", "Di động",
        "Phone", "Phone number", "Mobile",
    ),
    Field.ROLE: ("Vai trò", "Chức vụ", "Chức danh", "Vai trò trong tổ", "Role"),
    Field.LANGUAGE: ("Ngôn ngữ", "Language", "Lang"),
}

HEADER_ALIASES: dict[str, Field] = {
    norm_header(alias): field for field, aliases in _ALIASES.items() for alias in aliases
}

#: The Vietnamese header the demo file (and templates) use for each column.
CANONICAL_HEADERS: dict[Field, str] = {
    Field.COMMUNE_CODE: "Mã xã",
    Field.COMMUNE_NAME: "Xã/Phường",
    Field.TEAM: "Tổ",
    Field.TEAM_KIND: "Loại",
    Field.FORMER_DISTRICT: "Huyện cũ",
    Field.FORMER_COMMUNE: "Xã cũ",
    Field.FULL_NAME: "Họ và tên",
    Field.PHONE: "Số điện thoại",
    Field.ROLE: "Vai trò",
    Field.LANGUAGE: "Ngôn ngữ",
}

MEMBER_SHEETS = {norm_header(n) for n in ("Thành viên", "Members", "Danh sách thành viên")}
TEAM_SHEETS = {norm_header(n) for n in ("Tổ", "Teams", "Danh sách tổ", "Tổ CNS")}
#: Targets are read by bot/core/registry/targets_sheet.py, not as members or teams.
TARGET_SHEETS = {norm_header(n) for n in ("Chỉ tiêu", "Targets", "Target", "Chỉ tiêu tổ CNS")}


def is_targets_sheet(name: str) -> bool:
    return norm_header(name) in TARGET_SHEETS


def match_header(cell: str) -> Field | None:
    """The field a header cell names ("SĐT" → PHONE), or None."""
    return HEADER_ALIASES.get(norm_header(cell)) if cell else None


class RawRow(BaseModel):
    """One non-blank row: the text of each recognised column ("" when blank)."""

    model_config = ConfigDict(frozen=True)

    sheet: str
    row: int
    values: dict[Field, str]

    def get(self, field: Field) -> str:
        return self.values.get(field, "")


class RawSheet(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    kind: SheetKind
    header_row: int
    #: The header text as typed in the file, per recognised column.
    headers: dict[Field, str]
    rows: list[RawRow]


class RawRegistry(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str
    sheets: list[RawSheet]

    @property
    def row_count(self) -> int:
        return sum(len(sheet.rows) for sheet in self.sheets)


# ---------------------------------------------------------------- cell and header handling


def cell_text(value: object) -> str:
    """A cell as text: numbers without ".0", dates as ISO, strings NFC and stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _header_map(sheet: str, cells: Sequence[str]) -> dict[int, Field]:
    mapping: dict[int, Field] = {}
    seen: dict[Field, str] = {}
    for index, cell in enumerate(cells):
        field = match_header(cell)
        if field is None:
            continue
        if field in seen:
            raise RegistryFileError("registry.error.duplicate_column",
                                    {"sheet": sheet, "column": cell})
        seen[field] = cell
        mapping[index] = field
    return mapping


_CORE = {Field.FULL_NAME, Field.TEAM, Field.COMMUNE_CODE, Field.COMMUNE_NAME}


def is_header(cells: Sequence[str]) -> bool:
    fields = {match_header(cell) for cell in cells} - {None}
    return len(fields) >= 2 and bool(fields & _CORE)


def _missing(kind: SheetKind, fields: Iterable[Field]) -> list[str]:
    present = set(fields)
    missing: list[str] = []
    if Field.COMMUNE_CODE not in present and Field.COMMUNE_NAME not in present:
        missing.append("commune")
    if Field.TEAM not in present:
        missing.append(Field.TEAM.value)
    if kind == "members" and Field.FULL_NAME not in present:
        missing.append(Field.FULL_NAME.value)
    return missing


class SheetReader:
    """Turns a stream of rows (lists of cell text, numbered from 1) into a RawSheet."""

    def __init__(self, name: str, budget: list[int], max_rows: int) -> None:
        self.name = name
        self._budget = budget  # rows still allowed, shared by every sheet of the file
        self._max_rows = max_rows

    def read(self, rows: Iterator[tuple[int, list[str]]],
             forced: SheetKind | None = None) -> RawSheet | None:
        header: tuple[int, list[str]] | None = None
        for number, cells in rows:
            if is_header(cells):
                header = (number, cells)
                break
            if number >= HEADER_SCAN_ROWS:
                break
        if header is None:
            if forced is not None:
                raise RegistryFileError("registry.error.sheet_no_header", {"sheet": self.name})
            return None
        header_row, header_cells = header
        mapping = _header_map(self.name, header_cells)
        fields = set(mapping.values())
        kind: SheetKind = forced or ("members" if Field.FULL_NAME in fields else "teams")
        missing = _missing(kind, fields)
        if missing:
            raise RegistryFileError("registry.error.missing_columns",
                                    {"sheet": self.name, "columns": ",".join(missing)})
        out: list[RawRow] = []
        for number, cells in rows:
            if number > header_row + self._max_rows:
                raise RegistryFileError("registry.error.too_many_rows",
                                        {"limit": str(self._max_rows)})
            values = {
                field: cells[index] if index < len(cells) else ""
                for index, field in mapping.items()
            }
            if not any(values.values()):
                continue
            self._budget[0] -= 1
            if self._budget[0] < 0:
                raise RegistryFileError("registry.error.too_many_rows",
                                        {"limit": str(self._max_rows)})
            out.append(RawRow(sheet=self.name, row=number, values=values))
        headers = {field: header_cells[index] for index, field in mapping.items()}
        return RawSheet(name=self.name, kind=kind, header_row=header_row, headers=headers,
                        rows=out)


def megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"
