"""Forms of the semiannual report screens: summary, typical case (with files), publicity item, the city's
decision, urge, 优秀案例, and the GET filters of the list and the gallery."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from webapp.forms import RowForm, ZhForm, options
from workflows import service
from workflows.models.filing import APPRENTICESHIP_TYPES
from workflows.models.org import DISTRICTS
from workflows.service import DECISIONS


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def chosen_files(field: FileField | MultipleFileField, kind: str) -> list[service.IncomingFile]:
    """The files actually chosen in a file input (browsers send an empty part when none was)."""
    data = field.data if isinstance(field.data, list) else [field.data]
    return [service.IncomingFile(stream=f.stream, filename=f.filename, mimetype=f.mimetype, kind=kind)
            for f in data if isinstance(f, FileStorage) and f.filename]


class SummaryForm(ZhForm):
    summary = TextAreaField("经验总结", [Length(max=20000, message="经验总结不能超过20000字")], filters=[_strip],
                            description="按段落填写：工作开展情况、主要做法和成效、存在问题、下一步计划等，段落之间空一行。")
    submit = SubmitField("保存经验总结")


class CaseForm(ZhForm):
    title = StringField("案例标题", [InputRequired("请填写案例标题"), Length(max=200)], filters=[_strip])
    enterprise_name = StringField("企业名称", [Length(max=200)], filters=[_strip])
    occupation_code = SelectField("职业（工种）", choices=[], validate_choice=False)
    apprenticeship_type = SelectField("学徒类型", choices=options(APPRENTICESHIP_TYPES))
    narrative = TextAreaField("案例内容", [Length(max=20000, message="案例内容不能超过20000字")], filters=[_strip],
                              description="培养过程、做法和成效；段落之间空一行。")
    pictures = MultipleFileField(
        "图片", description="JPEG、PNG 或 WebP，每张不超过 {picture}；上传后会去除拍摄位置等信息。")
    videos = MultipleFileField("视频", description="MP4 格式，每个不超过 {video}。")
    documents = MultipleFileField("文档", description="PDF 或 Word（.docx），每个不超过 {document}。")
    submit = SubmitField("保存案例")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.occupation_code.choices = options([("", "请选择")] + [
            (code, f"{code} {o.name}") for code, o in service.occupations().items()])

    def data_obj(self) -> service.ReportCaseData:
        return service.ReportCaseData(title=self.title.data or "", enterprise_name=self.enterprise_name.data or "",
                        occupation_code=self.occupation_code.data or "",
                        apprenticeship_type=self.apprenticeship_type.data or "enterprise_apprentice",
                        narrative=self.narrative.data or "")

    def files(self) -> list[service.IncomingFile]:
        return (chosen_files(self.pictures, "picture") + chosen_files(self.videos, "video")
                + chosen_files(self.documents, "document"))


class PublicityForm(ZhForm):
    outlet = StringField("媒体/平台", [InputRequired("请填写媒体或平台名称"), Length(max=200)], filters=[_strip])
    published_on = DateField("发布日期", [InputRequired("请填写发布日期")])
    title = StringField("报道标题", [InputRequired("请填写报道标题"), Length(max=300)], filters=[_strip])
    link = StringField("报道链接", [Optional(), Length(max=1000)], filters=[_strip],
                       description="以 http:// 或 https:// 开头；没有链接时上传报道扫描件。")
    scan = FileField("报道扫描件", description="图片（JPEG、PNG、WebP）或 PDF。")
    submit = SubmitField("添加宣传报道")

    def data_obj(self) -> service.PublicityData:
        return service.PublicityData(outlet=self.outlet.data or "", published_on=self.published_on.data,
                             title=self.title.data or "", link=self.link.data or "")

    def scan_file(self) -> service.IncomingFile | None:
        files = chosen_files(self.scan, "scan")  # a picture or a PDF, decided by the content
        return files[0] if files else None


class ActionForm(ZhForm):
    """A button that changes something (submit, delete): CSRF only."""

    submit = SubmitField("确定")


class ReviewForm(ZhForm):
    decision = RadioField("接收结论", [InputRequired("请选择接收结论")],
                          choices=options((k, v[0]) for k, v in DECISIONS["report_accept"].items()))
    comment = TextAreaField("意见", [Length(max=2000, message="意见不能超过2000字")], filters=[_strip],
                            description="要求补充时必须写明需要补充的内容。")
    submit = SubmitField("提交")

    def validate_comment(self, field: TextAreaField) -> None:
        decision = DECISIONS["report_accept"].get(self.decision.data or "")
        if decision is not None and decision[1] and not field.data:
            raise ValidationError(f"选择“{decision[0]}”时必须填写意见")


class UrgeForm(ZhForm):
    message = TextAreaField("催办内容", [InputRequired("请填写催办内容"), Length(max=500)], filters=[_strip],
                            default="请抓紧编写并报送半年经验总结报告。")
    submit = SubmitField("催办")


class ExcellentForm(ZhForm):
    excellent = HiddenField(default="1")
    submit = SubmitField("标为优秀案例")


def _district_choices() -> list[SelectChoice]:
    return options([("", "全部"), *DISTRICTS.items()])


class ReportFilterForm(RowForm):
    district = SelectField("区", choices=_district_choices(), validate_choice=False)
    period = StringField("半年度", [Optional(), Length(max=7)], filters=[_strip],
                         description="如 2027H1")
    status = SelectField("状态", choices=options([("", "全部"), *service.REPORT_STATUS_LABELS.items()]),
                         validate_choice=False)
    overdue = BooleanField("仅看已逾期")


class GalleryFilterForm(RowForm):
    district = SelectField("区", choices=_district_choices(), validate_choice=False)
    occupation = SelectField("职业（工种）", choices=[], validate_choice=False)
    apprenticeship_type = SelectField("学徒类型", choices=options([("", "全部"), *APPRENTICESHIP_TYPES.items()]),
                                      validate_choice=False)
    period = SelectField("半年度", choices=[], validate_choice=False)
    excellent = BooleanField("仅看优秀案例")


class OpenReportForm(ZhForm):
    """开启报告 by hand (city staff): a district and a half-year, as the quarterly plan's 开启计划."""

    district_code = SelectField("区", [InputRequired("请选择区")],
                                choices=options([("", "请选择区"), *DISTRICTS.items()]))
    year = IntegerField("年度", [InputRequired("请填写年度"), NumberRange(2000, 2100, "年度应为2000至2100")])
    half = SelectField("半年度", [InputRequired("请选择半年度")], choices=options([("1", "上半年"), ("2", "下半年")]))
    submit = SubmitField("开启报告")
