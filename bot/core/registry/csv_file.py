"""Reading a CSV registry: decoding whatever Excel saved (UTF-8, UTF-16, cp1258), the delimiter."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from bot.core.registry.raw_sheet import (
    HEADER_SCAN_ROWS,
    RawSheet,
    RegistryFileError,
    SheetReader,
    cell_text,
    is_header,
    match_header,
)

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
            if is_header(cells):
                fields = {match_header(cell) for cell in cells} - {None}
                score = (len(fields), len(cells))
                break
            if number >= HEADER_SCAN_ROWS:
                break
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes, filename: str, max_rows: int) -> list[RawSheet]:
    text = _decode(data)
    if not text.strip():
        raise RegistryFileError("registry.error.empty_file")
    delimiter = _sniff_delimiter(text)
    sheet = SheetReader(Path(filename).name or "CSV", [max_rows], max_rows).read(
        _csv_rows(text, delimiter))
    if sheet is None:
        raise RegistryFileError("registry.error.no_header", {"sheet": Path(filename).name})
    return [sheet]
