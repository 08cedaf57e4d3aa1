"""Forms of the training project's data steps (CSRF on) and the public objection form."""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import RowForm, ZhForm, options
from workflows import service


class ObjectionForm(ZhForm):
    content = TextAreaField("异议内容", [DataRequired("请填写异议内容"), Length(5, 1000, "异议内容应为5至1000字")])
    contact = StringField("联系方式（选填）", [Optional(), Length(max=100, message="联系方式不能超过100字")])
    submit = SubmitField("提交异议")


class ClassReportForm(ZhForm):
    actual_start = DateField("实际开班日期", [InputRequired("请填写实际开班日期")])
    trainees = SelectMultipleField("开班学员", coerce=int, choices=[], widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput())
    submit = SubmitField("提交开班报告")


class AdvanceForm(ZhForm):
    action = HiddenField(default="advance")
    amount_yuan = DecimalField("预支金额（元）", [InputRequired("请填写预支金额"), NumberRange(0.01, 10**10)], places=2)
    submit = SubmitField("申请预支")


class ChangeForm(ZhForm):
    action = HiddenField(default="change")
    kind = SelectField("变更类型", choices=options(service.CHANGE_KINDS))
    trainee_id = SelectField("涉及学员（退出、替换时填写）", coerce=int, choices=[])
    effective_on = DateField("变更日期", [Optional()])
    new_end = DateField("新的培训结束日期（期限变更时填写）", [Optional()])
    name = StringField("替换学员姓名", [Optional(), Length(max=50)])
    id_number = StringField("替换学员身份证号", [Optional(), Length(max=18)])
    job_post = StringField("替换学员岗位", [Optional(), Length(max=100)])
    contract_start = DateField("替换学员劳动合同起始日期", [Optional()])
    reason = TextAreaField("变更原因", [InputRequired("请填写变更原因"), Length(max=1000)])
    submit = SubmitField("申报变更")


class AssessmentRow(RowForm):
    trainee_id = HiddenField()
    outcome = SelectField("考核结果", choices=options(service.OUTCOMES))
    certificate_no = StringField("证书编号", [Optional(), Length(max=60)])
    level_reached = SelectField("取得等级", choices=options(
        [("", "—"), *((str(k), v) for k, v in service.LEVELS.items())]))


class AssessmentForm(ZhForm):
    action = HiddenField(default="assess")
    rows = FieldList(FormField(AssessmentRow))
    submit = SubmitField("提交结业考核")


class ClaimForm(ZhForm):
    submit = SubmitField("提交补贴申领")


class PaymentForm(ZhForm):
    amount_yuan = DecimalField("金额（元）", [InputRequired("请填写金额"), NumberRange(0, 10**10)], places=2)
    paid_on = DateField("日期", [InputRequired("请填写日期")])
    voucher_no = StringField("凭证号", [DataRequired("请填写凭证号"), Length(max=60)])
    submit = SubmitField("登记")


def fen(value: Decimal | None) -> int:
    """Yuan typed on a screen (2 decimals) -> integer fen."""
    return int((Decimal(value or 0) * 100).to_integral_value())


__all__ = ["AdvanceForm", "AssessmentForm", "ChangeForm", "ClaimForm", "ClassReportForm",
           "ObjectionForm", "PaymentForm", "fen"]
