"""Excel import of the textbook catalogue: the template admins fill (with the current catalogue as rows),
the all-or-nothing parse that lists every bad cell, and the import itself.

Nothing here commits: callers own the unit of work.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.catalogue.admin import OCCUPATION_CODE, ensure_loaded, split_list, upsert_textbooks
from workflows.catalogue.reads import occupations
from workflows.rules import ids
from workflows.spreadsheets import CellError, SpreadsheetInvalid, read_sheet, text, write_template

TEXTBOOK_COLUMNS = ("ISBN", "书名", "出版社", "课程类别", "适用职业代码")
_CATEGORY_BY_LABEL = {label: code for code, label in ids.COURSE_CATEGORIES.items()}


def textbook_template() -> bytes:
    """The Excel template admins fill to import textbooks (with the current catalogue as rows)."""
    columns = [
        ("ISBN", "13位ISBN，可带连字符，例如 978-7-5167-3801-6", 22),
        ("书名", "必填，200字以内", 44),
        ("出版社", "必填", 26),
        ("课程类别", "通用素质必修课 / 通用素质选修课 / 专业基础课 / 专业技能课", 18),
        ("适用职业代码", "可留空；多个代码用 | 或 、 分隔，例如 6-18-01-01|6-18-01-02", 30),
    ]
    notes = [
        "全国职业培训规划教材目录导入模板",
        "1. 第1行为表头，请勿修改列名；从第2行起每行一种教材。",
        "2. ISBN 必须是有效的 13 位（或旧版 10 位）ISBN；同一表格中不能重复。",
        "3. 课程类别填写：通用素质必修课、通用素质选修课、专业基础课、专业技能课。",
        "4. 适用职业代码须为职业目录中已有的代码，多个用 | 或 、 分隔，可留空。",
        "5. 表格中只要有一处错误，系统将列出全部错误，且不导入任何数据。",
        "6. 已在目录中的 ISBN 会被更新；勾选“替换整个目录”时，未出现在表格中的教材会被删除。",
    ]
    return write_template("教材目录", columns, notes)


def parse_textbooks_xlsx(session: Session, data: bytes) -> list[ids.Textbook]:
    """Every row of an uploaded textbook sheet, or SpreadsheetInvalid listing every bad cell."""
    sheet = read_sheet(data, TEXTBOOK_COLUMNS)
    known = occupations(session)
    errors: list[CellError] = []
    items: list[ids.Textbook] = []
    first_row: dict[str, int] = {}
    for number, values in sheet.rows:
        row_errors: list[CellError] = []
        raw_isbn = text(sheet.value(values, "ISBN"))
        problem = ids.isbn_error(raw_isbn)
        isbn = "" if problem else ids.normalize_isbn(raw_isbn)
        if problem:
            row_errors.append(CellError(number, "ISBN", problem))
        elif isbn in first_row:
            row_errors.append(CellError(number, "ISBN", f"与第{first_row[isbn]}行的ISBN重复"))
        else:
            first_row[isbn] = number
        title, publisher = text(sheet.value(values, "书名")), text(sheet.value(values, "出版社"))
        for column, value, limit in (("书名", title, 200), ("出版社", publisher, 100)):
            if not value:
                row_errors.append(CellError(number, column, f"{column}不能为空"))
            elif len(value) > limit:
                row_errors.append(CellError(number, column, f"{column}不能超过{limit}个字"))
        raw_category = text(sheet.value(values, "课程类别"))
        category = _CATEGORY_BY_LABEL.get(raw_category, raw_category)
        if category not in ids.COURSE_CATEGORIES:
            row_errors.append(CellError(number, "课程类别", f"课程类别“{raw_category}”无效，应为"
                                        + "、".join(ids.COURSE_CATEGORIES.values())))
        codes = split_list(text(sheet.value(values, "适用职业代码")))
        malformed = [c for c in codes if not OCCUPATION_CODE.match(c)]
        unknown = [c for c in codes if OCCUPATION_CODE.match(c) and c not in known]
        if malformed:
            row_errors.append(CellError(number, "适用职业代码", f"职业代码格式应为 6-18-01-01：{'、'.join(malformed)}"))
        if unknown:
            row_errors.append(CellError(number, "适用职业代码", f"职业代码不在职业目录内：{'、'.join(unknown)}"))
        if row_errors:
            errors.extend(row_errors)
        else:
            items.append(ids.Textbook(isbn, title, publisher, category, tuple(codes)))
    if errors:
        raise SpreadsheetInvalid(errors)
    if not items:
        raise SpreadsheetInvalid([CellError(2, "ISBN", "表格中没有教材数据")])
    return items


def import_textbooks_xlsx(session: Session, data: bytes, replace: bool = False) -> int:
    """Import an uploaded sheet: all rows or none. Returns the number of rows imported."""
    ensure_loaded(session)
    items = parse_textbooks_xlsx(session, data)
    return upsert_textbooks(session, items, replace=replace)
