"""Reading an XLSX registry: every sheet but the targets one, guarded against zip bombs."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from bot.core.registry.raw_sheet import (
    MAX_BYTES,
    MAX_UNZIPPED_BYTES,
    MEMBER_SHEETS,
    TARGET_SHEETS,
    TEAM_SHEETS,
    RawSheet,
    RegistryFileError,
    SheetKind,
    SheetReader,
    cell_text,
    megabytes,
    norm_header,
)


def _xlsx_rows(worksheet: object) -> Iterator[tuple[int, list[str]]]:
    rows = worksheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    for number, row in enumerate(rows, start=1):
        yield number, [cell_text(value) for value in row]


def read_xlsx(data: bytes, max_rows: int) -> list[RawSheet]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise RegistryFileError("registry.error.file_too_large",
                                        {"limit": megabytes(MAX_BYTES)})
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
            key = norm_header(name)
            if key in TARGET_SHEETS:
                continue
            forced: SheetKind | None = (
                "members" if key in MEMBER_SHEETS else "teams" if key in TEAM_SHEETS else None)
            reset = getattr(worksheet, "reset_dimensions", None)
            if reset is not None:
                reset()  # trust the rows, not a possibly wrong stored dimension
            sheet = SheetReader(name, budget, max_rows).read(_xlsx_rows(worksheet), forced)
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
