"""Excel (.xlsx) reading and writing shared by the catalogue import, the trainee roster import and every export.

Every cell an export writes goes through ``safe_cell``: text that a spreadsheet would take for a formula
(starting with ``=``, ``+``, ``-`` or ``@``, or a tab / carriage return before one) is written as text.

Imports are all-or-nothing: a parser collects every bad cell as a ``CellError`` (row number as Excel
shows it, column header, Chinese message) and the caller raises ``SpreadsheetInvalid`` with the whole
list, so nothing is written when any cell is wrong.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from workflows.errors import ValidationFailed

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ERRORS_LISTED = 500


# What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"): these first characters.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as an export cell: text starting like a formula becomes an inline text cell (openpyxl
    writes it as a string, never as ``<f>``; Excel shows it as typed and never evaluates it). Numbers,
    dates and other text pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return CellRichText(value)
    return value


@dataclass(frozen=True)
class CellError:
    """One problem in an uploaded sheet: Excel row number (header = 1), column header, message."""

    row: int
    column: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class SpreadsheetInvalid(ValidationFailed):
    """The upload has errors; ``errors`` lists every bad cell. Nothing was imported."""

    def __init__(self, errors: Sequence[CellError], message: str | None = None):
        self.errors = list(errors)
        text = message or f"表格中有{len(self.errors)}处错误，未导入任何数据，请修改后重新上传。"
        fields: dict[str, list[str]] = {}
        for e in self.errors[:MAX_ERRORS_LISTED]:
            fields.setdefault(f"row{e.row}.{e.column}", []).append(e.message)
        super().__init__(text, fields)


@dataclass
class Sheet:
    """The first worksheet of an upload: header -> column index, and the data rows after the header."""

    columns: dict[str, int]
    rows: list[tuple[int, tuple[Any, ...]]]

    def value(self, row: tuple[Any, ...], column: str) -> Any:
        index = self.columns.get(column)
        if index is None or index >= len(row):
            return None
        return row[index]


def read_sheet(data: bytes, required: Sequence[str], max_rows: int = 10000) -> Sheet:
    """Parse the first worksheet; the header row is the first non-empty row. Raises SpreadsheetInvalid
    when the file is not an .xlsx workbook, a required column is missing or there are too many rows."""
    try:
        rows = list(_fast_rows(data))
    except Exception:  # anything unusual: let openpyxl read it (slower, but it knows every corner)
        pass
    else:
        return _sheet(iter(rows), required, max_rows)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise SpreadsheetInvalid([CellError(0, "文件", "无法读取该文件，请上传 Excel 2007 及以上格式（.xlsx）的表格")],
                                 "无法读取上传的文件，请使用下载的模板（.xlsx）填写后上传。") from exc
    try:
        return _sheet(workbook.worksheets[0].iter_rows(values_only=True), required, max_rows)
    finally:
        workbook.close()


def _sheet(iterator: Iterator[tuple[Any, ...]], required: Sequence[str], max_rows: int) -> Sheet:
    header_row: int = 0
    header: tuple[Any, ...] = ()
    for number, values in enumerate(iterator, start=1):
        if any(_blank(v) is False for v in values):
            header_row, header = number, values
            break
    if not header_row:
        raise SpreadsheetInvalid([CellError(1, "表头", "表格是空的，请使用模板填写")])
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        label = _header(name)
        if label and label not in columns:
            columns[label] = index
    missing = [c for c in required if c not in columns]
    if missing:
        raise SpreadsheetInvalid([CellError(header_row, c, f"缺少“{c}”列，请使用模板填写") for c in missing])
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for number, values in enumerate(iterator, start=header_row + 1):
        if all(_blank(v) for v in values):
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetInvalid([CellError(number, "行数", f"一次最多导入{max_rows}行")])
        rows.append((number, tuple(values)))
    return Sheet(columns, rows)


# --------------------------------------------------------------------------------------------------
# A lean reader for the common case (one plain sheet of values): lxml over the sheet XML is several
# times faster than openpyxl's cell objects, which matters for 2,000-row rosters.

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _fast_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    """Rows of the first worksheet as value tuples (row numbers kept: missing rows come as ())."""
    from lxml import etree
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
    from openpyxl.utils import column_index_from_string
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    first = workbook.find(f"{_NS}sheets/{_NS}sheet")
    rel_id = first.get(f"{_REL_NS}id")  # type: ignore[union-attr]
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
    pr = workbook.find(f"{_NS}workbookPr")
    epoch = CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else CALENDAR_WINDOWS_1900

    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        for si in etree.fromstring(archive.read("xl/sharedStrings.xml")).iterfind(f"{_NS}si"):
            shared.append("".join(t.text or "" for t in si.iter(f"{_NS}t") if t.getparent().tag != f"{_NS}rPh"))
    date_styles: set[int] = set()
    if "xl/styles.xml" in names:
        styles = etree.fromstring(archive.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode") or "" for f in styles.iter(f"{_NS}numFmt")}
        xfs = styles.find(f"{_NS}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else []):
            fmt_id = int(xf.get("numFmtId") or 0)
            code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "")
            if (code and is_date_format(code)) or 27 <= fmt_id <= 36 or 50 <= fmt_id <= 58:  # CJK date formats
                date_styles.add(index)

    expected = 1
    for _, row in etree.iterparse(io.BytesIO(archive.read(path)), tag=f"{_NS}row"):
        number = int(row.get("r") or expected)
        while expected < number:
            yield ()
            expected += 1
        values: list[Any] = []
        for cell in row.iterfind(f"{_NS}c"):
            ref = cell.get("r")
            if ref:
                column = column_index_from_string(ref.rstrip("0123456789")) - 1
                values.extend([None] * (column - len(values)))
            kind = cell.get("t", "n")
            v = cell.findtext(f"{_NS}v")
            if kind == "s":
                value: Any = shared[int(v)] if v is not None else None
            elif kind == "inlineStr":
                value = "".join(t.text or "" for t in cell.iter(f"{_NS}t"))
            elif kind in ("str", "e"):
                value = v
            elif kind == "b":
                value = v == "1"
            elif v is None or v == "":
                value = None
            else:
                number_value = float(v)
                if int(cell.get("s") or 0) in date_styles:
                    value = from_excel(number_value, epoch)
                else:
                    value = int(number_value) if number_value.is_integer() and "E" not in v.upper() else number_value
            values.append(value)
        row.clear()
        yield tuple(values)
        expected = number + 1


def _header(value: Any) -> str:
    text = re.sub(r"[\s*＊]+", "", str(value or ""))
    return re.sub(r"[(（].*?[)）]$", "", text)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as trimmed text; whole numbers typed into text columns lose Excel's '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> date | None:
    """An Excel date cell, or text such as 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301.

    Returns None for a blank cell; raises ValueError for anything else that is not a real date."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    match = _DATE_TEXT.match(raw)
    if match is None and re.fullmatch(r"\d{8}", raw):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", raw)
    if match is None:
        raise ValueError("日期格式应为 2024-03-01")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as exc:
        raise ValueError("不是有效的日期") from exc


def write_template(sheet_title: str, columns: Sequence[tuple[str, str, int]], notes: Sequence[str],
                   rows: Sequence[Sequence[Any]] = ()) -> bytes:
    """A workbook with a styled header (``columns``: header, comment, width) and a 填写说明 sheet.

    Every column is formatted as text so that ID numbers keep all 18 digits."""
    from openpyxl.comments import Comment

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, (header, comment, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=safe_cell(header))
        cell.font, cell.fill = bold, fill
        if comment:
            cell.comment = Comment(comment, "系统")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        for row in range(2, 2002):
            sheet.cell(row=row, column=index).number_format = "@"
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=safe_cell(value))
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.column_dimensions["A"].width = 100
    for r, line in enumerate(notes, start=1):
        help_sheet.cell(row=r, column=1, value=safe_cell(line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
