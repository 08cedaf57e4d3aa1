"""Forms of the quarterly plan screens (every state change is a POST with CSRF)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from webapp.forms import RowForm, ZhForm, options
from workflows.models import DISTRICTS


class PlanRowForm(RowForm):
    """One plan row inside the compile form (the enclosing form carries the CSRF token)."""

    row_id = HiddenField()
    included = BooleanField("纳入计划")
    reason = TextAreaField("原因", [Optional(), Length(max=1000, message="原因不能超过1000字。")])


class PlanCompileForm(ZhForm):
    rows = FieldList(FormField(PlanRowForm))
    notes = TextAreaField("备注", [Optional(), Length(max=4000, message="备注不能超过4000字。")],
                          description="本季度计划的补充说明（导出时写在合计行的备注中）。")
    justification = TextAreaField(
        "书面说明", [Optional(), Length(max=4000, message="书面说明不能超过4000字。")],
        description="本计划使全年中级工及以上占比低于规定比例时必须填写，并将提示市中心重点审核。")
    save = SubmitField("保存")
    refresh = SubmitField("从备案数据更新")
    submit = SubmitField("提交市中心")


class PlanDecisionForm(ZhForm):
    decision = RadioField("备案结论", choices=options([("record", "予以备案"), ("return", "退回修改")]),
                          validators=[DataRequired("请选择备案结论。")])
    comment = TextAreaField("意见", [Optional(), Length(max=2000, message="意见不能超过2000字。")],
                            description="退回修改时必须填写意见。")
    submit = SubmitField("确定")


class UrgeForm(ZhForm):
    message = TextAreaField("催办内容", [DataRequired("请填写催办内容。"),
                                         Length(max=500, message="催办内容不能超过500字。")],
                            default="请尽快完成本季度培训计划的编制和报送。")
    submit = SubmitField("催办")


class OpenPlanForm(ZhForm):
    quarter = HiddenField()
    district_code = SelectField("区", choices=options([("", "所有未开启的区"), *DISTRICTS.items()]),
                                validators=[Optional()])
    submit = SubmitField("开启计划")
