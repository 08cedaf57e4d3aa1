"""Trainee rosters (学员名册): the Excel template and the import into a draft or returned filing.

The import parses and checks every cell first (row, column, Chinese message); any error imports
nothing. A clean roster replaces the filing's trainees through ``save_filing``, the same path as the
edit form, so the filing is saved exactly as if the clerk had typed the rows. Cross-filing checks
(a person already in another active filing) run, as always, when the filing is submitted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from workflows.dto import Actor, TraineeData
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.filings.status import edit_task
from workflows.filings.use_cases import filing_data_of, get_filing, save_filing
from workflows.models import Filing
from workflows.rules import ids
from workflows.spreadsheets import CellError, SpreadsheetInvalid, parse_date, read_sheet, text, write_template

COLUMNS = ("姓名", "身份证号码", "工作岗位", "劳动合同起始日期", "劳动合同终止日期", "院校", "毕业年份", "招聘日期",
           "专业", "预计毕业日期")
REQUIRED_COLUMNS = ("姓名", "身份证号码", "工作岗位")
MAX_ROWS = 5000

# Columns each apprenticeship type must fill (SPEC R7 技培生, R8 学生学徒), beyond name, ID and job post.
TYPE_REQUIRED: dict[str, tuple[str, ...]] = {
    "enterprise_apprentice": (),
    "tech_trainee": ("院校", "毕业年份", "招聘日期"),
    "student_apprentice": ("院校", "专业", "预计毕业日期"),
}
_LIMITS = {"姓名": 50, "工作岗位": 100, "院校": 100, "专业": 100}


def template() -> bytes:
    """The roster template: the nine columns, formatted as text, and a sheet of instructions."""
    columns = [
        ("姓名", "必填", 12),
        ("身份证号码", "必填，18位居民身份证号码（末位可为X）；培训开始时须年满16周岁", 24),
        ("工作岗位", "必填，学员在企业的工作岗位，应与培训职业（工种）一致", 20),
        ("劳动合同起始日期", "必填，格式 2024-03-01；不得晚于培训开始日期", 18),
        ("劳动合同终止日期", "无固定期限劳动合同留空；不得早于培训结束日期", 18),
        ("院校", "技培生填毕业院校，学生学徒填在读院校", 24),
        ("毕业年份", "技培生必填，例如 2023", 10),
        ("招聘日期", "技培生必填，格式 2024-03-01", 14),
        ("专业", "学生学徒必填", 18),
        ("预计毕业日期", "学生学徒必填，格式 2025-06-30", 16),
    ]
    notes = [
        "企业新型学徒制培训备案 · 学员名册导入模板",
        "1. 第1行为表头，请勿修改列名；从第2行起每行一名学员，最多5000行。",
        "2. 姓名、身份证号码、工作岗位、劳动合同起始日期为必填项（学徒须为与企业签订劳动合同的职工）；"
        "身份证号码须为有效的18位号码，同一名册中不能重复。",
        "3. 技培生须填写：院校（毕业院校）、毕业年份、招聘日期。",
        "4. 学生学徒须填写：院校（在读院校）、专业、预计毕业日期。",
        "5. 日期格式为 2024-03-01（也可填 2024/3/1 或 2024年3月1日，或使用 Excel 日期单元格）。",
        "6. 导入时只要有一处错误，系统会列出全部错误（行号、列名、原因），且不导入任何学员。",
        "7. 导入时可选择替换现有名单，或追加到现有名单之后。",
    ]
    return write_template("学员名册", columns, notes)


def parse(data: bytes, apprenticeship_type: str, training_start: date | None) -> list[TraineeData]:
    """Every trainee of an uploaded roster, or SpreadsheetInvalid listing every bad cell."""
    sheet = read_sheet(data, REQUIRED_COLUMNS, max_rows=MAX_ROWS)
    required = set(REQUIRED_COLUMNS) | set(TYPE_REQUIRED.get(apprenticeship_type, ()))
    type_label = ids.APPRENTICESHIP_TYPES.get(apprenticeship_type, "")
    missing = [c for c in COLUMNS if c in required and c not in sheet.columns]
    if missing:
        raise SpreadsheetInvalid([CellError(1, c, f"缺少“{c}”列（{type_label}必填），请使用模板填写") for c in missing])
    errors: list[CellError] = []
    trainees: list[TraineeData] = []
    first_row: dict[str, int] = {}
    for number, values in sheet.rows:
        cells = {c: sheet.value(values, c) for c in COLUMNS}
        row_errors: list[CellError] = []

        def fail(column: str, message: str, _row: int = number, _errors: list[CellError] = row_errors) -> None:
            _errors.append(CellError(_row, column, message))

        strings: dict[str, str] = {}
        for column in ("姓名", "工作岗位", "院校", "专业"):
            value = text(cells[column])
            strings[column] = value
            if not value and column in required:
                fail(column, f"{column}不能为空" + (f"（{type_label}必填）" if column in ("院校", "专业") else ""))
            elif len(value) > _LIMITS[column]:
                fail(column, f"{column}不能超过{_LIMITS[column]}个字")

        raw_id = text(cells["身份证号码"])
        problem = ids.id_number_error(raw_id, training_start)
        id_number = ids.normalize_id_number(raw_id) if raw_id else ""
        if problem:
            fail("身份证号码", problem)
        elif id_number in first_row:
            fail("身份证号码", f"与第{first_row[id_number]}行的身份证号码重复")
        else:
            first_row[id_number] = number

        dates: dict[str, date | None] = {}
        for column in ("劳动合同起始日期", "劳动合同终止日期", "招聘日期", "预计毕业日期"):
            try:
                dates[column] = parse_date(cells[column])
            except ValueError as exc:
                fail(column, f"{column}{exc}")
                continue
            if dates[column] is None and column in required:
                fail(column, f"{column}不能为空（{type_label}必填）")

        graduation_year = _year(cells["毕业年份"], "毕业年份" in required, type_label, fail)
        if row_errors:
            errors.extend(row_errors)
            continue
        trainees.append(TraineeData(
            name=strings["姓名"], id_number=id_number, job_post=strings["工作岗位"],
            contract_start=dates.get("劳动合同起始日期"), contract_end=dates.get("劳动合同终止日期"),
            school=strings["院校"], graduation_year=graduation_year,
            recruited_on=dates.get("招聘日期"), major=strings["专业"],
            expected_graduation=dates.get("预计毕业日期"),
        ))
    if errors:
        raise SpreadsheetInvalid(errors)
    if not trainees:
        raise SpreadsheetInvalid([CellError(2, "姓名", "名册中没有学员")])
    return trainees


def _year(value: Any, required: bool, type_label: str, fail: Any) -> int | None:
    raw = text(value)
    if not raw:
        if required:
            fail("毕业年份", f"毕业年份不能为空（{type_label}必填）")
        return None
    raw = raw.removesuffix("年")
    if not raw.isdigit() or not 1950 <= int(raw) <= 2100:
        fail("毕业年份", "毕业年份应为4位年份，例如 2023")
        return None
    return int(raw)


def editable_filing(session: Session, actor: Actor, filing_id: int) -> Filing:
    """The actor's own filing, if it may still be edited (draft or returned); else NotFound/Conflict."""
    if actor.role != "enterprise":
        raise NotFound("未找到该备案。")
    filing = get_filing(session, actor, filing_id)
    if filing.enterprise_id != actor.enterprise_id:
        raise NotFound("未找到该备案。")
    if filing.instance_id is None or edit_task(session, filing.instance_id) is None:
        raise Conflict("该备案当前状态不能修改，不能导入学员名册。")
    return filing


IMPORT_MODES = {"replace": "替换现有名单", "append": "追加到现有名单之后"}


def import_roster(session: Session, actor: Actor, filing_id: int, data: bytes, mode: str = "replace") -> Filing:
    """Put an uploaded roster into the actor's draft or returned filing: replace its trainees
    (``mode="replace"``) or add the roster's after them (``"append"``).

    SpreadsheetInvalid (a ValidationFailed) lists every bad cell and nothing changes."""
    if mode not in IMPORT_MODES:
        raise ValidationFailed("导入方式不正确。", {"mode": ["请选择“替换现有名单”或“追加到现有名单之后”"]})
    filing = editable_filing(session, actor, filing_id)
    trainees = parse(data, filing.apprenticeship_type, filing.period_start)
    if mode == "append":
        current = filing_data_of(filing).trainees
        known = {t.id_number for t in current}
        repeated = [t for t in trainees if t.id_number in known]
        if repeated:
            message = f"名册中有{len(repeated)}名学员已在当前名单中（如 {repeated[0].name}），请删除后再追加"
            raise ValidationFailed(message, {"file": [message]})
        trainees = [*current, *trainees]
    return save_filing(session, actor, filing_id, filing_data_of(filing, trainees))


def parse_upload(data: bytes, apprenticeship_type: str, training_start: date | None) -> list[TraineeData]:
    """A roster read for a filing not saved yet: the rows go back to the page, which fills its table
    (append or replace there); nothing is stored. SpreadsheetInvalid lists every bad cell."""
    if apprenticeship_type not in ids.APPRENTICESHIP_TYPES:
        apprenticeship_type = "enterprise_apprentice"
    return parse(data, apprenticeship_type, training_start)
