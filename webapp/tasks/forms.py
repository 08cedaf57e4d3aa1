"""One decision form per user task, chosen by the task's ``formKey`` in the BPMN file (``TASK_FORMS``)."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import RowForm, ZhForm, options
from workflows.models import DISTRICTS
from workflows.service import DECISIONS


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _choices(form_key: str) -> list[SelectChoice]:
    return options((code, label) for code, (label, _) in DECISIONS[form_key].items())


def _values(field: SelectMultipleField) -> set[str]:
    return {choice.value for choice in field.choices or []}  # type: ignore[union-attr]


class DecisionForm(ZhForm):
    """A decision and a comment; the comment is required for every decision that needs one
    (``DECISIONS[form_key]``, the same table the service enforces)."""

    FORM_KEY = ""
    decision: RadioField

    def decision_label(self) -> str:
        return DECISIONS[self.FORM_KEY].get(self.decision.data or "", ("", False))[0]
    comment = TextAreaField("意见", [Length(max=2000, message="意见不能超过2000字")], filters=[_strip])
    submit = SubmitField("提交")

    def validate_comment(self, field: TextAreaField) -> None:
        decision = DECISIONS[self.FORM_KEY].get(self.decision.data or "")
        if decision is not None and decision[1] and not field.data:
            raise ValidationError(f"选择“{decision[0]}”时必须填写意见")


class DistrictReviewForm(DecisionForm):
    FORM_KEY = "district_review"
    decision = RadioField("审核结论", [InputRequired("请选择审核结论")], choices=_choices("district_review"))
    confirm_mismatches = SelectMultipleField("岗位与职业不一致确认", choices=[], widget=ListWidget(prefix_label=False),
                                             option_widget=CheckboxInput())

    def validate_confirm_mismatches(self, field: SelectMultipleField) -> None:
        if self.decision.data != "approve":
            return
        missing = _values(field) - set(field.data or [])
        if missing:
            raise ValidationError(f"还有{len(missing)}名学员的岗位与培训职业不一致未确认："
                                  "请逐项核实并勾选确认后再通过，或选择“退回修改”")

    def all_confirmed(self) -> bool:
        values = _values(self.confirm_mismatches)
        return bool(values) and values <= set(self.confirm_mismatches.data or [])


class CityRecordForm(DecisionForm):
    FORM_KEY = "city_record"
    decision = RadioField("备案结论", [InputRequired("请选择备案结论")], choices=_choices("city_record"))


class ClaimForm(ZhForm):
    """认领 / 退回组: a POST with its CSRF token, no fields."""

    submit = SubmitField("提交")


class TransferForm(ZhForm):
    to = SelectField("转办给", [InputRequired("请选择转办给谁")], choices=[])
    comment = TextAreaField("转办说明", [InputRequired("转办必须填写说明"),
                                     Length(max=500, message="转办说明不能超过500字")], filters=[_strip])
    submit = SubmitField("转办")


class BatchForm(ZhForm):
    """批量办理 from the inbox: the selected task ids, one decision, one comment (the service checks each)."""

    task_ids = SelectMultipleField("选择", [InputRequired("请至少选择一项任务")], choices=[], validate_choice=False)
    decision = StringField("结论", [InputRequired("请选择结论"), Length(max=20)])
    comment = TextAreaField("意见", [Length(max=2000, message="意见不能超过2000字")], filters=[_strip])


class InboxFilterForm(RowForm):
    """GET filters of the 待办 inbox (no CSRF: nothing changes)."""

    q = StringField("搜索", [Optional(), Length(max=100, message="搜索内容不能超过100字")], filters=[_strip])
    district = SelectField("所在区", choices=options([("", "全部区"), *DISTRICTS.items()]), default="")
    assignee = SelectField("办理人", choices=options([("", "全部"), ("me", "我认领的"), ("none", "未认领")]),
                           default="")
    flagged = BooleanField("有提示项")
    overdue = BooleanField("已逾期")
    resubmitted = BooleanField("重新提交")
    sort = SelectField("排序", choices=options([("due", "期限最近在前"), ("-due", "期限最远在前"),
                                              ("submitted", "送达最早在前"), ("-submitted", "送达最新在前")]),
                       default="due")

def _project_form(form_key: str, label: str) -> type[DecisionForm]:
    """The decision form of one of the training project's review tasks (choices from DECISIONS)."""
    return type(f"Form_{form_key}", (DecisionForm,), {
        "FORM_KEY": form_key,
        "decision": RadioField(label, [InputRequired(f"请选择{label}")], choices=_choices(form_key)),
    })


PROJECT_REVIEWS: dict[str, str] = {
    "project_advance_review": "预支审核结论",
    "project_change_review": "变更审核结论",
    "project_assessment_review": "考核审核结论",
    "project_claim_review": "申领审核结论",
    "project_objection_review": "异议处理结论",
    "project_claim_confirm": "确认结论",
}

# formKey -> (form class, template of the decision part). Tasks whose formKey is not here are not
# completed on the task page (filing_edit goes to the filing form; the project's data steps to
# projects.task).
TASK_FORMS: dict[str, tuple[type[DecisionForm], str]] = {
    "district_review": (DistrictReviewForm, "tasks/_district_review.html"),
    "city_record": (CityRecordForm, "tasks/_city_record.html"),
    **{key: (_project_form(key, label), "tasks/_project_decision.html") for key, label in PROJECT_REVIEWS.items()},
}
