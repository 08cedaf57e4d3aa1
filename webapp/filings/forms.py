"""The filing form (SPEC section 3): one FlaskForm with FieldList(FormField) rows for trainees and
courses, its conversion to ``FilingData`` and the mapping of the service's field paths back onto it."""

from __future__ import annotations

import re
from typing import Any

from wtforms import (
    Field,
    FieldList,
    FileField,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from webapp.form_errors import form_field, place_errors
from webapp.forms import RowForm, ZhForm, options
from workflows import service
from workflows.dto import CourseData, FilingData, TraineeData
from workflows.models.filing import APPRENTICESHIP_TYPES, COURSE_CATEGORIES, INSTITUTION_TYPES, LEVELS

MAX_TRAINEES = 200
MAX_COURSES = 60


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(label: str, max_length: int, **kwargs: Any) -> StringField:
    return StringField(label, [Optional(), Length(max=max_length, message=f"{label}不能超过{max_length}个字")],
                       filters=[_strip], **kwargs)


def _area(label: str, max_length: int, **kwargs: Any) -> TextAreaField:
    return TextAreaField(label, [Optional(), Length(max=max_length, message=f"{label}不能超过{max_length}个字")],
                         filters=[_strip], **kwargs)


class ChineseDateField(Field):
    """A date typed as people type it (2027-03-01, 2027/3/1, 20270301, 2027年3月1日), parsed on the server
    by ``service.parse_date_text``: a text input (with the same pattern) so no browser drops a typed value;
    filing_form.js puts a date picker beside it."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.isoformat() if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = service.parse_date_text(str(valuelist[0]))
        except ValueError as exc:
            self.data = None
            raise ValueError(f"{self.label.text}：{exc}") from exc


def _date(label: str, **kwargs: Any) -> ChineseDateField:
    render_kw = {"pattern": service.DATE_PATTERN, "placeholder": "2027-03-01", "autocomplete": "off",
                 "data-date-text": "", "title": f"可填写 {service.DATE_FORMS_HINT}"}
    return ChineseDateField(label, [Optional()], render_kw=render_kw, **kwargs)


class TraineeForm(RowForm):
    name = _text("姓名", 50)
    id_number = StringField("身份证号码", [Optional(), Length(max=18, message="身份证号码应为18位")],
                            filters=[_strip])
    job_post = _text("工作岗位", 100)
    contract_start = _date("劳动合同起始日期")
    contract_end = _date("劳动合同终止日期", description="无固定期限劳动合同留空")
    # 技培生 / 学生学徒
    school = _text("院校", 100)
    graduation_year = IntegerField("毕业年份", [Optional(), NumberRange(1950, 2100, "毕业年份应为4位年份")])
    recruited_on = _date("招用日期")
    major = _text("所学专业", 100)
    expected_graduation = _date("预计毕业时间")

    def is_blank(self) -> bool:
        return not any(f.raw_data and any(str(v).strip() for v in f.raw_data) for f in self)


class CourseForm(RowForm):
    category = SelectField("课程类别", choices=options(COURSE_CATEGORIES), default="general_required")
    name = _text("课程名称", 100)
    hours = IntegerField("学时", [Optional(), NumberRange(1, 5000, "学时应为1至5000之间的整数")])
    textbook_isbn = _text("教材ISBN", 20)
    off_catalogue_reason = _area("目录外教材使用理由", 1000)

    def is_blank(self) -> bool:
        return not any(f.raw_data and any(str(v).strip() for v in f.raw_data)
                       for f in self if f.name != self.category.name)


def occupation_choices() -> list[SelectChoice]:
    return options([("", "请选择职业（工种）")] + [(o.code, f"{o.code} {o.name}")
                                                 for o in service.occupations().values()])


class FilingForm(ZhForm):
    apprenticeship_type = RadioField("学徒类型", [InputRequired("请选择学徒类型")],
                                     choices=options(APPRENTICESHIP_TYPES), default="enterprise_apprentice")
    occupation_code = SelectField("培训职业（工种）", choices=[])
    level = SelectField("技能等级", coerce=int, choices=options(LEVELS), default=4)
    institution_name = _text("培训机构名称", 200)
    institution_type = SelectField("培训机构类型", choices=options(INSTITUTION_TYPES),
                                   default="technical_school")
    period_start = _date("培训开始日期")
    period_end = _date("培训结束日期")
    period_reason = _area("延长培训期限的理由", 2000,
                          description="培训期限一般为1至2年；超过2年（最长3年）时必须填写理由。")
    tutor_enterprise = _text("企业导师", 100)
    tutor_institution = _text("院校导师", 100)
    career_plan = _area("职业发展规划", 5000, description="技培生必填：说明技培生的岗位成长路径与培养安排。")
    training_goals = _area("培养目标", 5000, description="学生学徒必填。")
    retention_measures = _area("留用及晋升措施", 5000, description="学生学徒必填。")
    trainees = FieldList(FormField(TraineeForm))
    courses = FieldList(FormField(CourseForm))
    # One-time token of a new-filing form: posting it twice creates one draft (Back, Enter, double click).
    creation_token = HiddenField()
    save = SubmitField("保存草稿")
    submit = SubmitField("提交")

    # Fields not covered by the service's hard checks that a submission still needs (SPEC section 3).
    REQUIRED_ON_SUBMIT = ("institution_name", "tutor_enterprise", "tutor_institution")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.occupation_code.choices = occupation_choices()
        code = self.occupation_code.data
        if code and not self.occupation_code.raw_data and code not in {c.value for c in self.occupation_code.choices}:
            # Show a saved code that has since left the catalogue (posting it back asks for a new choice).
            self.occupation_code.choices.append(SelectChoice(code, f"{code}（已不在目录中）"))
        for name in self.REQUIRED_ON_SUBMIT:
            self[name].flags.required = True
        # Errors without a field of their own (e.g. 未填写学员) and errors shown at the top.
        self.section_errors: dict[str, list[str]] = {}
        self.general_errors: list[str] = []

    @property
    def submitting(self) -> bool:
        return bool(self.submit.data)

    def validate(self, extra_validators: Any = None) -> bool:  # type: ignore[override]
        ok = super().validate(extra_validators)
        if self.submitting:
            for name in self.REQUIRED_ON_SUBMIT:
                field = self[name]
                if not (field.data or "").strip():
                    field.errors = [*field.errors, f"提交前请填写{field.label.text}"]
                    ok = False
        for name, limit, what in (("trainees", MAX_TRAINEES, "学员"), ("courses", MAX_COURSES, "课程")):
            if len(self[name].entries) > limit:
                self.section_errors.setdefault(name, []).append(f"一份备案最多{limit}名{what}" if what == "学员"
                                                                else f"一份备案最多{limit}门{what}")
                ok = False
        return ok

    # ---- conversion ----------------------------------------------------------------------------

    def _rows(self, name: str) -> list[tuple[int, Any]]:
        """(form index, subform) of the rows that hold anything; fully blank rows are ignored."""
        return [(i, entry.form) for i, entry in enumerate(self[name].entries) if not entry.form.is_blank()]

    def to_data(self) -> tuple[FilingData, dict[str, list[int]]]:
        """The content for the service, and for each table the form row of each row passed on."""
        trainees = self._rows("trainees")
        courses = self._rows("courses")
        data = FilingData(
            apprenticeship_type=self.apprenticeship_type.data or "enterprise_apprentice",
            occupation_code=self.occupation_code.data or "",
            level=int(self.level.data or 4),
            institution_name=self.institution_name.data or "",
            institution_type=self.institution_type.data or "technical_school",
            period_start=self.period_start.data,
            period_end=self.period_end.data,
            period_reason=self.period_reason.data or "",
            tutor_enterprise=self.tutor_enterprise.data or "",
            tutor_institution=self.tutor_institution.data or "",
            career_plan=self.career_plan.data or "",
            training_goals=self.training_goals.data or "",
            retention_measures=self.retention_measures.data or "",
            trainees=[TraineeData(
                name=t.name.data or "", id_number=(t.id_number.data or "").upper(), job_post=t.job_post.data or "",
                contract_start=t.contract_start.data,
                contract_end=t.contract_end.data, school=t.school.data or "",
                graduation_year=t.graduation_year.data, recruited_on=t.recruited_on.data,
                major=t.major.data or "", expected_graduation=t.expected_graduation.data,
            ) for _, t in trainees],
            courses=[CourseData(
                category=c.category.data or "general_required", name=c.name.data or "", hours=c.hours.data or 0,
                textbook_isbn=c.textbook_isbn.data or "", off_catalogue_reason=c.off_catalogue_reason.data or "",
            ) for _, c in courses],
        )
        return data, {"trainees": [i for i, _ in trainees], "courses": [i for i, _ in courses]}

    # ---- errors from the service -----------------------------------------------------------------

    def apply_errors(self, fields: dict[str, list[str]], rows: dict[str, list[int]]) -> None:
        """Put each message of ValidationFailed.fields next to its field; the rest go to the top.

        Paths look like ``trainees[2].id_number``, ``courses[0].textbook_isbn``, ``period.end``,
        ``career_plan``, or a whole table (``trainees``: shown above it); ``rows`` maps the service's row
        numbers back to the form's rows."""
        for table in _TABLES:
            if table in fields:
                self.section_errors.setdefault(table, []).extend(fields[table])
        others = {path: messages for path, messages in fields.items() if path not in _TABLES}
        self.general_errors.extend(place_errors(others, self, lambda path: self._field_for(path, rows)))

    def _field_for(self, path: str, rows: dict[str, list[int]]) -> Field | None:
        row = _ROW_PATH.match(path)
        if row:
            table, index, name = row.group(1), int(row.group(2)), row.group(3)
            form_rows = rows.get(table, [])
            if table not in _TABLES or index >= len(form_rows):
                return None
            return form_field(self[table].entries[form_rows[index]].form, name)
        return form_field(self, _ALIASES.get(path, path))

    def error_summary(self) -> list[tuple[str, str | None]]:
        """Every error as (message, id of the input to jump to or None), in page order."""
        items: list[tuple[str, str | None]] = [(m, None) for m in self.general_errors]
        for field in self:
            if field.type == "FieldList":
                items += [(m, field.id + "-section") for m in self.section_errors.get(field.name, [])]
                for entry in field.entries:
                    for sub in entry.form:
                        items += [(m, sub.id) for m in _messages(sub.errors)]
            elif field.type not in ("SubmitField", "CSRFTokenField"):
                items += [(m, field.id) for m in _messages(field.errors)]
        return items


_TABLES = ("trainees", "courses")
_ROW_PATH = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")
_ALIASES = {"period.start": "period_start", "period.end": "period_end", "period.reason": "period_reason",
            "institution.name": "institution_name", "institution.type": "institution_type",
            "tutors.enterprise": "tutor_enterprise", "tutors.institution": "tutor_institution"}


def _messages(errors: Any) -> list[str]:
    if isinstance(errors, dict):
        return [m for v in errors.values() for m in _messages(v)]
    return [m for m in errors if isinstance(m, str)]


class WithdrawForm(ZhForm):
    reason = _area("撤回原因", 500)
    submit = SubmitField("确认撤回")


class ConfirmForm(ZhForm):
    """A button that changes something (delete a draft, copy a filing): CSRF only."""


class AttachmentForm(ZhForm):
    kind = SelectField("材料类别", choices=options(service.ATTACHMENT_KINDS), default="labour_contract")
    note = _text("说明", 200, description="选填，例如“张伟的劳动合同”或“全体学员社保缴费证明”。")
    file = FileField("文件", [DataRequired("请选择要上传的文件")],
                     description="PDF、JPEG/PNG 图片或 Word（.docx），按文件内容检查类型。")
