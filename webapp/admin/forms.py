"""Forms of the admin area (系统管理) and of the roster upload."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
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
from workflows.models import DISTRICTS
from workflows.models.org import ENTERPRISE_TAGS, ROLES, SIZE_CLASSES


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(ZhForm):
    """A bare POST (CSRF only): delete, deactivate, load the shipped catalogues."""

    submit = SubmitField("确定")


XLSX_ONLY = FileAllowed(["xlsx"], "请上传 .xlsx 格式的 Excel 表格")


class UploadForm(ZhForm):
    file = FileField("Excel 文件（.xlsx）", validators=[FileRequired("请选择要上传的文件"), XLSX_ONLY])
    submit = SubmitField("上传并导入")


class CatalogueImportForm(UploadForm):
    """An Excel import of a catalogue with its provenance (recorded with the catalogue)."""

    source_document = StringField("来源文件", [DataRequired("请填写来源文件"), Length(max=300)], filters=[_strip])
    edition = StringField("版本", [Optional(), Length(max=100)], filters=[_strip])
    published_on = DateField("发布日期", [Optional()])
    replace = BooleanField("替换整个目录（删除表格中没有的条目）")


class TextbookImportForm(CatalogueImportForm):
    source_document = StringField("来源文件", [DataRequired("请填写来源文件"), Length(max=300)], filters=[_strip],
                                  description="如 人力资源社会保障部 全国职业培训规划教材目录")


class OccupationImportForm(CatalogueImportForm):
    source_document = StringField("来源文件", [DataRequired("请填写来源文件"), Length(max=300)], filters=[_strip],
                                  description="如 中华人民共和国职业分类大典（2022年版）及各职业国家职业技能标准")


# --------------------------------------------------------------------------------------------------


class UserForm(ZhForm):
    username = StringField("用户名", [DataRequired("请填写用户名"), Length(max=64)], filters=[_strip])
    display_name = StringField("姓名", [DataRequired("请填写姓名"), Length(max=100)], filters=[_strip])
    role = SelectField("角色", choices=options(ROLES))
    district_code = SelectField("所属区（区人社局审核员）", choices=options([("", "—"), *DISTRICTS.items()]))
    enterprise_id = SelectField("所属企业（企业经办人）", choices=[], coerce=lambda v: int(v) if v else None)
    # The password rules are the service's (same for the API and the CLI); the user changes it at first sign-in.
    password = PasswordField("初始密码", [DataRequired("请填写初始密码"), Length(max=128)])
    submit = SubmitField("创建用户")


class YearPlanRowForm(RowForm):
    district_code = HiddenField()
    budget_yuan = DecimalField("年度预算（元）", [InputRequired("请填写预算"), NumberRange(0, 10_000_000_000)],
                               places=2)
    planned_headcount = IntegerField("计划人数", [InputRequired("请填写计划人数"), NumberRange(0, 1_000_000)])


class YearPlanForm(ZhForm):
    year = HiddenField()
    rows = FieldList(FormField(YearPlanRowForm))
    confirm = BooleanField("确认：预算可以低于已占用和已拨付的资金")
    submit = SubmitField("保存年度计划")


def yuan_to_fen(value: Decimal | None) -> int | None:
    """Yuan typed on a screen -> integer fen (None when empty or with more than 2 decimals)."""
    if value is None:
        return None
    fen = value * 100
    if fen != fen.to_integral_value():
        return None
    return int(fen)


class EnterpriseForm(ZhForm):
    name = StringField("企业名称", [DataRequired("请填写企业名称"), Length(max=200)], filters=[_strip])
    credit_code = StringField("统一社会信用代码", [DataRequired("请填写统一社会信用代码"), Length(max=30)],
                              filters=[_strip])
    district_code = SelectField("所在区", choices=options(DISTRICTS))
    size_class = SelectField("企业规模", choices=options((s, s) for s in SIZE_CLASSES))
    tags = CheckboxList("企业标签", choices=options((t, t) for t in ENTERPRISE_TAGS))
    contact_name = StringField("联系人", [Optional(), Length(max=50)], filters=[_strip])
    contact_phone = StringField("联系电话", [Optional(), Length(max=30)], filters=[_strip])
    submit = SubmitField("保存")


class OccupationForm(ZhForm):
    code = StringField("职业代码", [DataRequired("请填写职业代码"), Length(max=20)], filters=[_strip],
                       description="格式如 6-18-01-01（2022年版职业分类大典）")
    name = StringField("职业（工种）名称", [DataRequired("请填写名称"), Length(max=100)], filters=[_strip])
    aliases = TextAreaField("别名", [Optional(), Length(max=2000)],
                            description="岗位名称中常见的其他叫法，每行一个（或用 | 、分隔），例如 数控车工")
    job_posts = TextAreaField("典型工作岗位", [Optional(), Length(max=2000)], description="每行一个")
    levels = CheckboxList("可培训的技能等级", coerce=int, choices=options(service.LEVELS))
    shortage = BooleanField("紧缺急需职业（工种）",
                            description="列入紧缺急需目录的，三级/高级工及以上按上浮后的补贴标准测算")
    submit = SubmitField("保存")


class TextbookForm(ZhForm):
    isbn = StringField("ISBN", [DataRequired("请填写ISBN"), Length(max=20)], filters=[_strip])
    title = StringField("书名", [DataRequired("请填写书名"), Length(max=200)], filters=[_strip])
    publisher = StringField("出版社", [DataRequired("请填写出版社"), Length(max=100)], filters=[_strip])
    category = SelectField("课程类别", choices=options(service.COURSE_CATEGORIES))
    occupation_codes = TextAreaField("适用职业代码", [Optional(), Length(max=2000)],
                                     description="可留空；多个代码每行一个或用 | 、分隔")
    submit = SubmitField("保存")


class PolicyForm(ZhForm):
    effective_from = DateField("生效日期", [InputRequired("请填写生效日期")],
                               description="自该日（北京时间）零时起提交的备案按本版本参数审核；不能早于今天")
    enterprise_share_pct = DecimalField("单个企业学员占本区年度计划比例的提示线（%）",
                                        [InputRequired("请填写"), NumberRange(0, 100)], places=2)
    occupation_share_pct = DecimalField("单个职业（工种）学员占比的提示线（%）",
                                        [InputRequired("请填写"), NumberRange(0, 100)], places=2)
    intermediate_min_pct = DecimalField("中级工（四级）及以上最低占比（%）",
                                        [InputRequired("请填写"), NumberRange(0, 100)], places=2)
    max_period_years = IntegerField("培训期限上限（年）", [InputRequired("请填写"), NumberRange(1, 5)])
    max_period_years_with_reason = IntegerField("说明理由后的培训期限上限（年）",
                                                [InputRequired("请填写"), NumberRange(1, 5)])
    resubmit_window_days = IntegerField("退回修改期限（天）", [InputRequired("请填写"), NumberRange(1, 90)])
    review_window_days = IntegerField("区级审核期限（工作日）", [InputRequired("请填写"), NumberRange(1, 60)])
    resubmit_working_days = BooleanField("按工作日计算退回修改期限", default=True)
    max_trainee_age = IntegerField("学员培训开始时的年龄上限（周岁）", [InputRequired("请填写"), NumberRange(18, 70)])
    student_graduation_window_years = IntegerField("学生学徒预计毕业时间须在培训开始后几年内",
                                                   [InputRequired("请填写"), NumberRange(1, 5)])
    student_highest_level = SelectField("学生学徒最高培训等级（更高等级将提示审核人）", coerce=int,
                                        choices=options(service.LEVELS))
    min_hours_per_year = IntegerField("每培训年最低总学时", [InputRequired("请填写"), NumberRange(1, 3000)])
    min_class_hours_per_year = IntegerField("每培训年最低理论课学时（通用素质课、专业基础课）",
                                            [InputRequired("请填写"), NumberRange(0, 3000)])
    start_report_days = IntegerField("开班报告期限（备案开始日后天数）", [InputRequired("请填写"), NumberRange(1, 180)])
    advance_max_pct = DecimalField("预支比例上限（%，占开班学员补贴）", [InputRequired("请填写"), NumberRange(0, 100)],
                                   places=2)
    notice_working_days = IntegerField("补贴申领公示期（工作日）", [InputRequired("请填写"), NumberRange(1, 30)])
    refund_months = IntegerField("多预支款退回期限（月）", [InputRequired("请填写"), NumberRange(1, 24)])
    fund_risk_pct = DecimalField("资金支付风险提示线（%，已占用与已拨付占预算）",
                                 [InputRequired("请填写"), NumberRange(0, 100)], places=2)
    note = TextAreaField("版本说明（依据文件等）", [Optional(), Length(max=1000)])
    submit = SubmitField("发布新版本")


def rate_field_name(kind: str, level: int) -> str:
    return f"rate_{kind}_{level}"


def uplift_field_name(kind: str, level: int) -> str:
    """The field of the uplifted rate of a shortage-list occupation (紧缺急需) at this level."""
    return f"rate_{kind}_{level}_shortage"


def uplift_levels() -> list[int]:
    """The levels whose shortage-list occupations carry an uplifted rate, in the table's order."""
    return [lv for lv in service.LEVELS if lv in service.UPLIFT_LEVELS]


def required_field_name(kind: str) -> str:
    return f"required_{kind}"


for _kind, _label in service.APPRENTICESHIP_TYPES.items():
    setattr(PolicyForm, required_field_name(_kind),
            SelectMultipleField(f"{_label}：提交时必须上传的证明材料",
                                choices=options(service.ATTACHMENT_KINDS),
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()))
    for _level, _level_label in service.LEVELS.items():
        setattr(PolicyForm, rate_field_name(_kind, _level),
                IntegerField(f"{_label} · {_level_label}（元/人·年）",
                             [InputRequired("请填写补贴标准"), NumberRange(0, 100_000, "应为0至100000元")]))
    for _level in uplift_levels():
        setattr(PolicyForm, uplift_field_name(_kind, _level),
                IntegerField(f"{_label} · {service.LEVELS[_level]} · 紧缺急需（元/人·年）",
                             [Optional(), NumberRange(0, 100_000, "应为0至100000元")]))


class HolidayYearForm(ZhForm):
    confirmed = BooleanField("已依据国务院办公厅通知确认本年安排")
    source_notice = StringField("依据的通知", [Optional(), Length(max=300)], filters=[_strip],
                                description="如 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）")
    holidays = TextAreaField("放假日期（工作日中放假的日期）", [Optional(), Length(max=5000)],
                             description="每行一个日期和名称，如 2027-02-08 春节；周六、周日不必列出")
    workdays = TextAreaField("调休上班日期（周末上班的日期）", [Optional(), Length(max=2000)],
                             description="每行一个日期和说明，如 2027-02-14 春节调休上班")
    submit = SubmitField("保存节假日安排")
class SecurityLogFilterForm(RowForm):
    """Filters of the 安全审计 screen (GET query; no CSRF: it changes nothing)."""

    username = StringField("用户名", [Optional(), Length(max=64)], filters=[_strip])
    action = SelectField("事件", choices=options([("", "全部事件"), *service.SECURITY_ACTIONS.items()]),
                         validate_choice=False)
    date_from = DateField("起始日期", [Optional()])
    date_to = DateField("截止日期", [Optional()])
