"""Excel import of the catalogues (textbooks; occupations): the templates admins fill, the all-or-nothing
parse that lists every bad cell, and the import itself, which records the catalogue's provenance.

Nothing here commits: callers own the unit of work.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.catalogue.admin import (
    OCCUPATION_CODE,
    Source,
    ensure_loaded,
    imported_source,
    record_source,
    source_errors,
    split_list,
    upsert_occupations,
    upsert_textbooks,
)
from workflows.catalogue.reads import occupations
from workflows.errors import ValidationFailed
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


def _check_source(source: Source | None) -> None:
    if source is not None and (errors := source_errors(source)):
        raise ValidationFailed("请填写目录的来源信息。", errors)


def import_textbooks_xlsx(session: Session, data: bytes, replace: bool = False, source: Source | None = None,
                          by: str = "系统") -> int:
    """Import an uploaded sheet: all rows or none, with its provenance. Returns the number of rows imported."""
    _check_source(source)
    ensure_loaded(session)
    items = parse_textbooks_xlsx(session, data)
    count = upsert_textbooks(session, items, replace=replace)
    if source is not None:
        record_source(session, "textbook", imported_source(session, "textbook", source, replace), by)
    return count


OCCUPATION_COLUMNS = ("职业代码", "职业名称", "别名", "典型工作岗位", "可培训等级")
_LEVEL_BY_LABEL = {**{label.split("/")[0]: lv for lv, label in ids.LEVELS.items()},
                   **{label.split("/")[1]: lv for lv, label in ids.LEVELS.items()},
                   **{label: lv for lv, label in ids.LEVELS.items()}, **{str(lv): lv for lv in ids.LEVELS}}


def occupation_template() -> bytes:
    """The Excel template admins fill to import occupations (职业分类大典 with each standard's levels)."""
    columns = [
        ("职业代码", "必填，格式 6-18-01-01（2022年版职业分类大典）", 16),
        ("职业名称", "必填，100字以内", 24),
        ("别名", "可留空；岗位名称中的其他叫法，多个用 | 或 、 分隔", 36),
        ("典型工作岗位", "可留空；多个用 | 或 、 分隔", 36),
        ("可培训等级", "必填；该职业国家职业技能标准设置的等级，如 五级|四级|三级（也可写 5|4|3）", 30),
    ]
    notes = [
        "职业（工种）目录导入模板",
        "1. 第1行为表头，请勿修改列名；从第2行起每行一个职业（工种）。",
        "2. 职业代码、名称取自《中华人民共和国职业分类大典（2022年版）》；可培训等级按该职业的国家职业技能标准填写。",
        "3. 表格中只要有一处错误，系统将列出全部错误，且不导入任何数据。",
        "4. 已在目录中的代码会被更新；勾选“替换整个目录”时，未出现在表格中的职业会被删除。",
    ]
    return write_template("职业目录", columns, notes)


def parse_occupations_xlsx(data: bytes) -> list[ids.Occupation]:
    """Every row of an uploaded occupation sheet, or SpreadsheetInvalid listing every bad cell."""
    sheet = read_sheet(data, OCCUPATION_COLUMNS)
    errors: list[CellError] = []
    items: list[ids.Occupation] = []
    first_row: dict[str, int] = {}
    for number, values in sheet.rows:
        row_errors: list[CellError] = []
        code, name = text(sheet.value(values, "职业代码")), text(sheet.value(values, "职业名称"))
        if not OCCUPATION_CODE.match(code):
            row_errors.append(CellError(number, "职业代码", f"职业代码“{code}”格式应为 6-18-01-01"))
        elif code in first_row:
            row_errors.append(CellError(number, "职业代码", f"与第{first_row[code]}行的职业代码重复"))
        else:
            first_row[code] = number
        if not name:
            row_errors.append(CellError(number, "职业名称", "职业名称不能为空"))
        elif len(name) > 100:
            row_errors.append(CellError(number, "职业名称", "职业名称不能超过100个字"))
        raw_levels = split_list(text(sheet.value(values, "可培训等级")))
        levels = [_LEVEL_BY_LABEL.get(x) for x in raw_levels]
        if not raw_levels or None in levels:
            bad = "、".join(x for x, lv in zip(raw_levels, levels, strict=True) if lv is None) or "未填写"
            row_errors.append(CellError(number, "可培训等级",
                                        f"可培训等级无效（{bad}），应为 五级、四级、三级、二级、一级"))
        if row_errors:
            errors.extend(row_errors)
        else:
            items.append(ids.Occupation(code, name, tuple(split_list(text(sheet.value(values, "别名")))),
                                        tuple(split_list(text(sheet.value(values, "典型工作岗位")))),
                                        tuple(sorted({int(lv) for lv in levels if lv is not None}, reverse=True))))
    if errors:
        raise SpreadsheetInvalid(errors)
    if not items:
        raise SpreadsheetInvalid([CellError(2, "职业代码", "表格中没有职业数据")])
    return items


def import_occupations_xlsx(session: Session, data: bytes, replace: bool = False, source: Source | None = None,
                            by: str = "系统") -> int:
    """Import an uploaded occupation sheet: all rows or none, with its provenance."""
    _check_source(source)
    ensure_loaded(session)
    count = upsert_occupations(session, parse_occupations_xlsx(data), replace=replace)
    if source is not None:
        record_source(session, "occupation", imported_source(session, "occupation", source, replace), by)
    return count
