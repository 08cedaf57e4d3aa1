"""Excel (.xlsx) reading and writing shared by the catalogue import and the trainee roster import.

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
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from workflows.service import ValidationFailed

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ERRORS_LISTED = 500


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
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise SpreadsheetInvalid([CellError(0, "文件", "无法读取该文件，请上传 Excel 2007 及以上格式（.xlsx）的表格")],
                                 "无法读取上传的文件，请使用下载的模板（.xlsx）填写后上传。") from exc
    try:
        sheet = workbook.worksheets[0]
        iterator: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        header_row, header = 0, ()
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
    finally:
        workbook.close()


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
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font, cell.fill = bold, fill
        if comment:
            cell.comment = Comment(comment, "系统")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        for row in range(2, 2002):
            sheet.cell(row=row, column=index).number_format = "@"
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("填写说明")
    help_sheet.column_dimensions["A"].width = 100
    for r, line in enumerate(notes, start=1):
        help_sheet.cell(row=r, column=1, value=line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
