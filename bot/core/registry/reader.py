"""Reading a registry file (CSV or XLSX) into raw rows, with forgiving header matching.

Nothing here judges the values: :mod:`bot.core.registry.validate` does. This module only finds the
sheets, their header row and columns, and hands back every non-blank row with its sheet name and
the 1-based row number the user sees in Excel. Anything that is not a usable spreadsheet raises
:class:`RegistryFileError` with a message key, never another exception.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
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


def _norm_header(text: str) -> str:
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
    _norm_header(alias): field for field, aliases in _ALIASES.items() for alias in aliases
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

_MEMBER_SHEETS = {_norm_header(n) for n in ("Thành viên", "Members", "Danh sách thành viên")}
_TEAM_SHEETS = {_norm_header(n) for n in ("Tổ", "Teams", "Danh sách tổ", "Tổ CNS")}
#: Targets are read by bot/registry/targets_sheet.py, not as members or teams.
TARGET_SHEETS = {_norm_header(n) for n in ("Chỉ tiêu", "Targets", "Target", "Chỉ tiêu tổ CNS")}


def is_targets_sheet(name: str) -> bool:
    return _norm_header(name) in TARGET_SHEETS


def match_header(cell: str) -> Field | None:
    """The field a header cell names ("SĐT" → PHONE), or None."""
    return HEADER_ALIASES.get(_norm_header(cell)) if cell else None


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


def _is_header(cells: Sequence[str]) -> bool:
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


class _SheetReader:
    """Turns a stream of rows (lists of cell text, numbered from 1) into a RawSheet."""

    def __init__(self, name: str, budget: list[int], max_rows: int) -> None:
        self.name = name
        self._budget = budget  # rows still allowed, shared by every sheet of the file
        self._max_rows = max_rows

    def read(self, rows: Iterator[tuple[int, list[str]]],
             forced: SheetKind | None = None) -> RawSheet | None:
        header: tuple[int, list[str]] | None = None
        for number, cells in rows:
            if _is_header(cells):
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


# ---------------------------------------------------------------- CSV


#: Control characters (Unicode category Cc) other than tab and line breaks.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        head = data[:4096]
        if head and head.count(b"\x00") * 3 >= len(head) and len(data) % 2 == 0:
            # UTF-16 without a BOM: every other byte of ASCII text is zero.
            even_zero = head[0::2].count(0) > head[1::2].count(0)
            try:
                text = data.decode("utf-16-be" if even_zero else "utf-16-le")
            except UnicodeDecodeError as exc:
                raise RegistryFileError("registry.error.not_spreadsheet") from exc
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    # What Excel on a Vietnamese Windows saves as "CSV".
                    text = data.decode("cp1258")
                except UnicodeDecodeError as exc:
                    raise RegistryFileError("registry.error.not_spreadsheet") from exc
    text = unicodedata.normalize("NFC", text)
    controls = len(_CONTROLS.findall(text))
    if "\x00" in text or controls > max(2, len(text) // 200):
        raise RegistryFileError("registry.error.not_spreadsheet")
    return text


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            yield number, [cell_text(cell) for cell in record]
    except csv.Error as exc:
        raise RegistryFileError("registry.error.not_spreadsheet") from exc


def _sniff_delimiter(text: str) -> str:
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        score = (-1, -1)
        for number, cells in _csv_rows(text, delimiter):
            if _is_header(cells):
                fields = {match_header(cell) for cell in cells} - {None}
                score = (len(fields), len(cells))
                break
            if number >= HEADER_SCAN_ROWS:
                break
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, filename: str, max_rows: int) -> list[RawSheet]:
    text = _decode(data)
    if not text.strip():
        raise RegistryFileError("registry.error.empty_file")
    delimiter = _sniff_delimiter(text)
    sheet = _SheetReader(Path(filename).name or "CSV", [max_rows], max_rows).read(
        _csv_rows(text, delimiter))
    if sheet is None:
        raise RegistryFileError("registry.error.no_header", {"sheet": Path(filename).name})
    return [sheet]


# ---------------------------------------------------------------- XLSX


def _xlsx_rows(worksheet: object) -> Iterator[tuple[int, list[str]]]:
    rows = worksheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    for number, row in enumerate(rows, start=1):
        yield number, [cell_text(value) for value in row]


def _read_xlsx(data: bytes, max_rows: int) -> list[RawSheet]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise RegistryFileError("registry.error.file_too_large",
                                        {"limit": _megabytes(MAX_BYTES)})
            if "xl/workbook.xml" not in archive.namelist():
                raise RegistryFileError("registry.error.not_spreadsheet")
    except zipfile.BadZipFile as exc:
        raise RegistryFileError("registry.error.corrupt_file") from exc
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except RegistryFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise RegistryFileError("registry.error.corrupt_file") from exc
    try:
        budget = [max_rows]
        sheets: list[RawSheet] = []
        for worksheet in workbook.worksheets:
            name = str(worksheet.title)
            key = _norm_header(name)
            if key in TARGET_SHEETS:
                continue
            forced: SheetKind | None = (
                "members" if key in _MEMBER_SHEETS else "teams" if key in _TEAM_SHEETS else None)
            reset = getattr(worksheet, "reset_dimensions", None)
            if reset is not None:
                reset()  # trust the rows, not a possibly wrong stored dimension
            sheet = _SheetReader(name, budget, max_rows).read(_xlsx_rows(worksheet), forced)
            if sheet is not None:
                sheets.append(sheet)
    except RegistryFileError:
        raise
    except Exception as exc:
        raise RegistryFileError("registry.error.corrupt_file") from exc
    finally:
        workbook.close()
    if not sheets:
        raise RegistryFileError("registry.error.no_header", {"sheet": ""})
    return sheets


# ---------------------------------------------------------------- entry points


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


def read_registry(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES,
                  max_rows: int = MAX_ROWS) -> RawRegistry:
    """Read a registry file given as bytes (an upload) and its file name."""
    if len(data) > max_bytes:
        raise RegistryFileError("registry.error.file_too_large",
                                {"limit": _megabytes(max_bytes)})
    if not data.strip():
        raise RegistryFileError("registry.error.empty_file")
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # OLE2: an old .xls workbook, or an .xlsx protected by a password.
        raise RegistryFileError("registry.error.old_excel")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        sheets = _read_xlsx(data, max_rows)
    elif suffix in (".xlsx", ".xlsm", ".ods"):
        raise RegistryFileError("registry.error.corrupt_file")
    else:
        sheets = _read_csv(data, filename, max_rows)
    registry = RawRegistry(filename=Path(filename).name, sheets=sheets)
    if registry.row_count == 0:
        raise RegistryFileError("registry.error.no_rows")
    return registry


def read_registry_file(path: str | Path, *, max_bytes: int = MAX_BYTES,
                       max_rows: int = MAX_ROWS) -> RawRegistry:
    """Read a registry file from disk (size checked before reading it)."""
    file = Path(path)
    try:
        if file.stat().st_size > max_bytes:
            raise RegistryFileError("registry.error.file_too_large",
                                    {"limit": _megabytes(max_bytes)})
        data = file.read_bytes()
    except OSError as exc:
        raise RegistryFileError("registry.error.unreadable_file", {"name": file.name}) from exc
    return read_registry(data, file.name, max_bytes=max_bytes, max_rows=max_rows)
