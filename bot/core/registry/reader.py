"""Reading a registry file (CSV or XLSX) into raw rows, with forgiving header matching.

Nothing here judges the values: :mod:`bot.core.registry.validate` does. This module only finds the
sheets, their header row and columns, and hands back every non-blank row with its sheet name and
the 1-based row number the user sees in Excel. Anything that is not a usable spreadsheet raises
:class:`RegistryFileError` with a message key, never another exception.

This module is the entry points; the fields, header matching and sheet reading they share are in
:mod:`bot.core.registry.raw_sheet`, the formats in :mod:`bot.core.registry.csv_file` and
:mod:`bot.core.registry.xlsx_file`.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.registry.csv_file import read_csv
from bot.core.registry.raw_sheet import (
    MAX_BYTES,
    MAX_ROWS,
    RawRegistry,
    RegistryFileError,
    megabytes,
)
from bot.core.registry.xlsx_file import read_xlsx


def read_registry(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES,
                  max_rows: int = MAX_ROWS) -> RawRegistry:
    """Read a registry file given as bytes (an upload) and its file name."""
    if len(data) > max_bytes:
        raise RegistryFileError("registry.error.file_too_large",
                                {"limit": megabytes(max_bytes)})
    if not data.strip():
        raise RegistryFileError("registry.error.empty_file")
    suffix = Path(filename).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # OLE2: an old .xls workbook, or an .xlsx protected by a password.
        raise RegistryFileError("registry.error.old_excel")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        sheets = read_xlsx(data, max_rows)
    elif suffix in (".xlsx", ".xlsm", ".ods"):
        raise RegistryFileError("registry.error.corrupt_file")
    else:
        sheets = read_csv(data, filename, max_rows)
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
                                    {"limit": megabytes(max_bytes)})
        data = file.read_bytes()
    except OSError as exc:
        raise RegistryFileError("registry.error.unreadable_file", {"name": file.name}) from exc
    return read_registry(data, file.name, max_bytes=max_bytes, max_rows=max_rows)
