"""A streaming XLSX writer for the export: rows go straight into the zip, a few µs each.

Why our own: the export of a month of the largest province is 664,213 session rows, and it
must be ready in ≤ 10 s on two cores. Measured on that month (docs/performance.md), openpyxl's
write-only mode spends 62–84 µs of CPU per 7-column row (a cell object per value, checked, then
written through lxml) and XlsxWriter's constant-memory mode 57–86 µs: 40–55 s for the sessions
sheet alone. This writer makes each distinct value's cell XML once and joins strings: 4.4–4.6 µs
a row, so the whole sheet takes about 3 s.

It writes only what the export's sheets use, as plain SpreadsheetML (ECMA-376) that Excel,
LibreOffice and openpyxl open: text, integers, decimals, dates; a fixed table of styles (a title
row, a bold wrapped header, bold totals, DD/MM/YYYY and MM/YYYY dates, ``#,##0`` đồng, ``0.00%``);
column widths; panes frozen under the header. Text is always a shared or inline string, never a
formula (``=HYPERLINK(…)`` typed in a note stays text); characters XML cannot carry are dropped.
A NaN or an infinity is written as an empty cell: it is no figure, and Excel calls a file with
``<v>nan</v>`` in it corrupt and opens none of it.

Pure: it encodes into a zip held in memory and hands back the bytes, importing nothing but the
standard library; so it sits in ``bot.core`` beside the registry's XLSX reader, below
``handlers`` (which decides what goes in the sheets) rather than inside it.
The package is built in memory (a month of the largest province is ~24 MiB zipped): rows are
compressed as they come, so only the zipped bytes and the shared strings are held.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime

#: Cell styles (indexes into cellXfs of :data:`_STYLES`).
PLAIN, TITLE, HEADER, BOLD, DAY, MONTH, DONG, BOLD_DONG, PERCENT, BOLD_PERCENT = range(10)
#: Rows a sheet may have (Excel's limit; a longer sheet is cut when opened).
MAX_ROWS = 1_048_576
_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (1900 date system)
#: Characters XML 1.0 cannot carry at all (a stray control character in a typed note).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Characters a sheet's name may not have (Excel refuses the file).
_NOT_IN_NAME = re.compile(r"[\[\]:*?/\\]")

_FONT = '<font><sz val="11"/><name val="Calibri"/></font>'
_BOLD_FONT = '<font><b/><sz val="11"/><name val="Calibri"/></font>'
_TITLE_FONT = '<font><b/><sz val="13"/><name val="Calibri"/></font>'
#: (font, number format, wrapped) of each style, in the order of the constants above; number
#: formats 3 (#,##0) and 10 (0.00%) are built in, 164 and 165 declared below. Shares keep two
#: decimals: a whole percent would show 525 teams reporting of 526 as 100%.
_XFS = ((0, 0, False), (2, 0, False), (1, 0, True), (1, 0, False), (0, 164, False),
        (0, 165, False), (0, 3, False), (1, 3, False), (0, 10, False), (1, 10, False))


def _xf(font: int, number_format: int, wrap: bool) -> str:
    applied = (' applyFont="1"' if font else "") + (
        ' applyNumberFormat="1"' if number_format else "")
    if wrap:
        return (f'<xf numFmtId="{number_format}" fontId="{font}" fillId="0" borderId="0" '
                f'xfId="0"{applied} applyAlignment="1">'
                '<alignment vertical="top" wrapText="1"/></xf>')
    return (f'<xf numFmtId="{number_format}" fontId="{font}" fillId="0" borderId="0" '
            f'xfId="0"{applied}/>')


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_STYLES = (
    f'{_XML}<styleSheet {_NS}><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="DD/MM/YYYY"/><numFmt numFmtId="165" formatCode="MM/YYYY"/>'
    f'</numFmts><fonts count="3">{_FONT}{_BOLD_FONT}{_TITLE_FONT}</fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{len(_XFS)}">{"".join(_xf(*x) for x in _XFS)}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>")


def text(value: str) -> str:
    """``value`` as XML character data: escaped, and without what XML cannot carry."""
    value = _UNSAFE.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


class Inline(str):
    """Text written into its cell instead of the shared table: for text that never repeats
    (a note), so the table does not hold a month of it."""

    __slots__ = ()


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A name Excel accepts: no ``[]:*?/\\``, at most 31 characters, unlike the others."""
    base = _NOT_IN_NAME.sub(" ", _UNSAFE.sub("", name)).strip("' ")[:31] or "Sheet"
    taken = {t.casefold() for t in taken}
    candidate, n = base, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{base[:31 - len(str(n)) - 1]}~{n}"
    return candidate


class Sheet:
    """One worksheet being written: :meth:`append` / :meth:`styled` rows, then :meth:`close`
    (the book closes a sheet left open when the next one starts)."""

    def __init__(self, book: StreamingWorkbook, part: io.BufferedWriter, *,
                 widths: Sequence[float], freeze: int, dates: int) -> None:
        self._book, self._out, self._dates = book, part, dates
        self.rows = 0
        #: Each distinct plain value's cell XML, made once (names, days, small numbers repeat).
        self._made: dict[object, str] = {}
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(widths, start=1))
        pane = (f'<pane ySplit="{freeze}" topLeftCell="A{freeze + 1}" activePane="bottomLeft"'
                ' state="frozen"/>' if freeze else "")
        part.write(f'{_XML}<worksheet {_NS}><sheetViews><sheetView workbookViewId="0">{pane}'
                   f'</sheetView></sheetViews>{f"<cols>{cols}</cols>" if cols else ""}'
                   "<sheetData>".encode())

    def append(self, values: Sequence[object]) -> int:
        """A row of plain cells (dates in the sheet's date style, ``None`` or "" empty); its
        number."""
        made, cell = self._made, self._book.cell
        parts = []
        for value in values:
            if value.__class__ is bool or value.__class__ is Inline:  # 1 == True; never again
                parts.append(cell(value))
                continue
            xml = made.get(value)
            if xml is None:
                xml = made[value] = cell(value, self._dates if isinstance(value, date)
                                         else PLAIN)
            parts.append(xml)
        self.rows += 1
        self._out.write(f'<row r="{self.rows}">{"".join(parts)}</row>'.encode())
        return self.rows

    def append_made(self, first: str, rows: Sequence[str]) -> None:
        """Rows of cells already made by :meth:`StreamingWorkbook.cell`: each row is ``first``
        then its own cells (the hot path of a big sheet: one string per row)."""
        start = self.rows + 1
        self._out.write("".join([f'<row r="{n}">{first}{cells}</row>'
                                 for n, cells in enumerate(rows, start)]).encode())
        self.rows += len(rows)

    def title(self, value: str) -> int:
        return self.styled([value], TITLE)

    def header(self, names: Sequence[str]) -> int:
        return self.styled(names, HEADER)

    def styled(self, values: Sequence[object], style: int | Sequence[int]) -> int:
        """A row whose cells have ``style`` (one for all, or one per column); empty cells stay
        unstyled, and a date under a plain style is a DD/MM/YYYY one."""
        cell = self._book.cell
        styles = [style] * len(values) if isinstance(style, int) else style
        cells = "".join(cell(v, s) for v, s in zip(values, styles, strict=False))
        self.rows += 1
        self._out.write(f'<row r="{self.rows}">{cells}</row>'.encode())
        return self.rows

    def close(self) -> None:
        if not self._out.closed:
            self._out.write(b"</sheetData></worksheet>")
            self._out.close()


class StreamingWorkbook:
    """Sheets written one after another (:meth:`sheet`), then :meth:`close` for the bytes.
    Not for two threads at once; steps may run in different threads one after the other."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        # Level 1: a quarter faster than the default for a few percent more bytes.
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._strings: dict[str, int] = {}
        self._names: list[str] = []
        self._current: Sheet | None = None

    def sheet(self, name: str, *, widths: Sequence[float] = (), freeze: int = 0,
              dates: int = DAY) -> Sheet:
        """A new sheet; ``freeze``: how many top rows stay in view (the title and header);
        ``dates``: the style of dates in plain rows (DAY or MONTH)."""
        if self._current is not None:
            self._current.close()
        self._names.append(sheet_name(name, self._names))
        part = self._zip.open(f"xl/worksheets/sheet{len(self._names)}.xml", "w",
                              force_zip64=True)
        self._current = Sheet(self, io.BufferedWriter(part, buffer_size=1 << 20),
                              widths=widths, freeze=freeze, dates=dates)
        return self._current

    def cell(self, value: object, style: int = PLAIN) -> str:
        """The XML of one cell."""
        if value is None or value == "":
            return "<c/>"
        mark = f' s="{style}"' if style else ""
        if isinstance(value, str):
            if value.__class__ is Inline:
                return (f'<c t="inlineStr"{mark}><is><t xml:space="preserve">{text(value)}'
                        "</t></is></c>")
            index = self._strings.setdefault(value, len(self._strings))
            return f'<c t="s"{mark}><v>{index}</v></c>'
        if isinstance(value, bool):
            return f'<c t="b"{mark}><v>{int(value)}</v></c>'
        if isinstance(value, float) and not math.isfinite(value):
            return "<c/>"
        if isinstance(value, int | float):
            return f"<c{mark}><v>{value!r}</v></c>"
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return (f'<c s="{style if style in (DAY, MONTH) else DAY}">'
                    f"<v>{value.toordinal() - _EPOCH}</v></c>")
        return self.cell(str(value), style)

    def close(self) -> bytes:
        """Finish the package (shared strings, workbook, styles, relations): its bytes."""
        if self._current is not None:
            self._current.close()
        count = len(self._strings)
        with self._zip.open("xl/sharedStrings.xml", "w", force_zip64=True) as part, \
                io.BufferedWriter(part, buffer_size=1 << 20) as out:
            out.write(f'{_XML}<sst {_NS} count="{count}" uniqueCount="{count}">'.encode())
            for s in self._strings:
                out.write(f'<si><t xml:space="preserve">{text(s)}</t></si>'.encode())
            out.write(b"</sst>")
        self._strings.clear()
        sheets = "".join(f'<sheet name="{text(n)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, n in enumerate(self._names, start=1))
        self._zip.writestr("xl/workbook.xml", f'{_XML}<workbook {_NS} xmlns:r="{_REL_NS}">'
                                              f"<sheets>{sheets}</sheets></workbook>")
        self._zip.writestr("xl/styles.xml", _STYLES)
        n = len(self._names)
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
        rels += (f'<Relationship Id="rId{n + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
                 f'<Relationship Id="rId{n + 2}" Type="{_REL_NS}/sharedStrings" '
                 'Target="sharedStrings.xml"/>')
        self._zip.writestr("xl/_rels/workbook.xml.rels",
                           f'{_XML}<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>')
        self._zip.writestr("_rels/.rels", f'{_XML}<Relationships xmlns="{_PKG_REL}">'
                                          f'<Relationship Id="rId1" Type="{_REL_NS}/'
                                          'officeDocument" Target="xl/workbook.xml"/>'
                                          "</Relationships>")
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                            f'ContentType="{_MAIN}.worksheet+xml"/>' for i in range(1, n + 1))
        self._zip.writestr("[Content_Types].xml", (
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_MAIN}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_MAIN}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_MAIN}.sharedStrings+xml"/>'
            f"{overrides}</Types>"))
        self._zip.close()
        return self._buffer.getvalue()
