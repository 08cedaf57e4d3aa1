"""Semiannual experience reports (半年经验总结报告) and the typical-case gallery: list, detail, the district's
summary, typical cases, files (multipart uploads, checked by ``workflows.uploads`` exactly as on the
screens), publicity items and submission; the city's accept / ask for more, urge and manual opening;
scoped file downloads. Every rule is in ``workflows.reports``.

The city's decision can also be made through ``POST /tasks/{id}/complete`` (the report's
``report_accept`` task lists its decisions ``accept`` / ``more``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Response, request, send_file

from config import Config
from webapp.api import registry, schemas, serializers
from webapp.api.core import (
    MAX_ID,
    PAGE,
    PER_PAGE,
    ApiCall,
    db_session,
    fresh_session,
    no_description,
    operation,
    page_of,
    page_response,
)
from webapp.api.errors import ApiError, json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.api.validation import RequestInvalid
from webapp.reports import views as screens
from webapp.reports.views import limits, upload_dir
from workflows import deadlines, reports, service, uploads
from workflows.models import WorkflowInstance
from workflows.models.filing import APPRENTICESHIP_TYPES
from workflows.models.report_models import PublicityItem, ReportAttachment

TAG = tag("半年报告", "区人社局每半年编写经验总结、典型案例（图片、视频、文档）和宣传报道，报送市中心；"
                    "市中心接收或要求补充。路径中的 id 为报告编号（报告列表、案件详情中的 semiannual_report.id）。"
                    "区人社局只能看到本区的报告。")
GALLERY_TAG = tag("典型案例库", "已接收报告中的典型案例，全市各区可查阅；市中心可标记优秀案例。")

REPORT_ROLES = ("district", "city", "admin")
CITY_ROLES = ("city", "admin")  # who may urge and open (deadlines.can_urge, reports.open_report)


def _id(name: str, description: str) -> Param:
    return Param(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, description, location="path",
                 required=True, example=1)


REPORT_ID = _id("id", "报告编号")
CASE_ID = _id("case_id", "典型案例编号")
ATTACHMENT_ID = _id("attachment_id", "文件编号")
ITEM_ID = _id("item_id", "宣传报道编号")

# The largest body an upload may have: the largest file the configuration allows, plus the form around it
# (the app's own limits, which may be lower, are enforced in ``_uploads`` and per file by workflows.uploads).
CASE_FILES_MAX_BODY = max(Config.UPLOAD_MAX_PICTURE_BYTES, Config.UPLOAD_MAX_VIDEO_BYTES,
                          Config.UPLOAD_MAX_DOCUMENT_BYTES) + screens.MULTIPART_ROOM
SCAN_MAX_BODY = max(Config.UPLOAD_MAX_PICTURE_BYTES, Config.UPLOAD_MAX_DOCUMENT_BYTES) + screens.MULTIPART_ROOM
FILE_MEDIA = tuple(dict.fromkeys(f.mime for f in uploads.FORMATS.values()))
CASE_FILE_FIELDS = {"pictures": "picture", "videos": "video", "documents": "document"}

CASE_EXAMPLE = {"title": "黄埔区汽车零部件企业学徒培养案例", "enterprise_name": "广州黄埔汽车零部件制造有限公司",
                "occupation_code": "6-18-01-01", "apprenticeship_type": "enterprise_apprentice",
                "narrative": "企业与技工院校共同制定培养方案。\n\n双导师带教，学徒全部取得中级工证书。"}


def _uploads(kind: str | None) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Upload endpoints: the body may be as large as the largest file the app accepts for ``kind`` (any kind
    when None) plus the form, and file parts are spooled to UPLOAD_DIR/tmp (same filesystem as the stored
    files), as on the screens."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(view)
        def wrapped(**values: Any) -> Response:
            allowed = limits()
            cap = (allowed.largest if kind is None else allowed.of(kind)) + screens.MULTIPART_ROOM
            if request.content_length is not None and request.content_length > cap:
                raise ApiError(413, f"请求体不能超过{uploads.human_size(cap)}。")
            request.form_data_parser_class = screens._SpoolingParser
            return view(**values)

        return wrapped

    return decorate


def _files(fields: dict[str, str]) -> list[reports.Incoming]:
    """The uploaded files of the declared file fields (field -> kind); any other file part is refused."""
    unknown = sorted(set(request.files) - set(fields))
    if unknown:
        raise RequestInvalid("提交的内容有误，请按字段提示修改。", {name[:100]: ["不允许的字段"] for name in unknown})
    return [reports.Incoming(stream=f.stream, filename=f.filename, mimetype=f.mimetype, kind=kind)
            for name, kind in fields.items() for f in request.files.getlist(name) if f.filename]


def _report(call: ApiCall, report_id: int | None = None, status: int = 200) -> Response:
    session = fresh_session()
    view = reports.report_view(session, call.who, report_id or call.path["id"])
    headers = {"Location": f"/api/v1/reports/{view.report.id}"} if status == 201 else None
    return json_response(serializers.report(session, call.who, view), status, headers)


def _case(call: ApiCall, case_id: int, status: int = 200) -> Response:
    session = fresh_session()
    case = reports.get_case(session, call.who, case_id)
    headers = {"Location": f"/api/v1/reports/{case.report_id}"} if status == 201 else None
    return json_response(serializers.report_case(case), status, headers)


def _case_of_report(call: ApiCall) -> int:
    """The path's case, which must belong to the path's report (404 otherwise, also out of scope)."""
    case = reports.get_case(db_session(), call.who, call.path["case_id"])
    if case.report_id != call.path["id"]:
        raise service.NotFound("未找到该案例。")
    return case.id


def _attachment_of_report(call: ApiCall) -> ReportAttachment:
    attachment = db_session().get(ReportAttachment, call.path["attachment_id"])
    if attachment is None or attachment.report_id != call.path["id"]:
        raise service.NotFound("未找到该文件。")
    return attachment


def _case_data(body: dict[str, Any]) -> reports.CaseData:
    return reports.CaseData(title=body["title"], enterprise_name=body.get("enterprise_name", ""),
                            occupation_code=body.get("occupation_code", "").strip(),
                            apprenticeship_type=body.get("apprenticeship_type", "enterprise_apprentice"),
                            narrative=body.get("narrative", ""))


# --- reports -----------------------------------------------------------------------------------------------


@operation(
    "GET", "/reports", operation_id="list_reports", tag=TAG, roles=REPORT_ROLES, summary="半年报告列表",
    description="按半年度倒序、区划代码排列。区人社局只看到本区的报告。",
    params=(
        Param("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "年度"),
        Param("half", {"type": "integer", "enum": [1, 2]}, "1 上半年；2 下半年"),
        Param("district", no_description(schemas.DISTRICT), "区划代码"),
        Param("status", no_description(schemas.REPORT_STATUS), "状态代码"),
        PAGE, PER_PAGE,
    ),
    responses={200: Reply("ReportList", "一页半年报告")},
)
def list_reports(call: ApiCall) -> Response:
    q = call.query
    page, per_page = page_of(call)
    filters = reports.ReportFilters(year=q.get("year"), half=q.get("half"), district=q.get("district"),
                                    status=q.get("status"))
    session = db_session()
    rows, total = reports.find_reports(session, call.who, filters, page, per_page)
    return page_response([serializers.report_summary(r.report, r.instance, r.overdue,
                                                     deadlines.can_urge(session, call.who, r.instance))
                          for r in rows], page, per_page, total)


@operation(
    "POST", "/reports/open", operation_id="open_report", tag=TAG, roles=CITY_ROLES, summary="开启某区某半年度的报告",
    description="半年度结束时系统自动开启各区报告；市中心也可以手动开启。已开启的返回 409。",
    body="ReportOpenInput", body_example={"district_code": "440112", "year": 2027, "half": 1},
    responses={201: Reply("Report", "新开启的报告")}, errors=(409,),
)
def open_report(call: ApiCall) -> Response:
    body = call.body
    # JSON Schema counts 2027.0 as an integer: hand the use case real ints.
    report = reports.open_report(db_session(), body["district_code"], int(body["year"]), int(body["half"]),
                                 actor=call.who)
    return _report(call, report.id, 201)


@operation(
    "GET", "/reports/{id}", operation_id="get_report", tag=TAG, roles=REPORT_ROLES, params=(REPORT_ID,),
    summary="半年报告详情",
    description="经验总结、典型案例及其文件、宣传报道、报送前还需补充的内容、状态和期限、"
                "市中心最近一次要求补充的意见、调用者可办理的任务（含可选结论）以及办理记录。",
    responses={200: Reply("Report", "报告详情")},
)
def get_report(call: ApiCall) -> Response:
    return _report(call)


@operation(
    "PUT", "/reports/{id}", operation_id="update_report", tag=TAG, roles=("district",), params=(REPORT_ID,),
    summary="保存经验总结",
    description="待编制（`compiling`）或已退回（`returned`）时可修改，否则返回 409。",
    body="ReportInput", body_example={"summary": "一、工作开展情况……\n\n二、主要做法和成效……"},
    responses={200: Reply("Report", "保存后的报告")}, errors=(409,),
)
def update_report(call: ApiCall) -> Response:
    reports.save_summary(db_session(), call.who, call.path["id"], call.body["summary"])
    return _report(call)


@operation(
    "POST", "/reports/{id}/submit", operation_id="submit_report", tag=TAG, roles=("district",),
    params=(REPORT_ID,), summary="报送（或补充后重新报送）报告",
    description="经验总结和至少一个内容完整的典型案例齐全才能报送，否则返回 422（`fields` 的 `summary`、`cases`）。"
                "报送后已报送的案例、宣传报道和文件不能再删除。",
    responses={200: Reply("Report", "报送后的报告")}, errors=(409, 422),
)
def submit_report(call: ApiCall) -> Response:
    reports.submit_report(db_session(), call.who, call.path["id"])
    return _report(call)


@operation(
    "POST", "/reports/{id}/review", operation_id="review_report", tag=TAG, roles=("city",), params=(REPORT_ID,),
    summary="市中心接收或要求补充",
    description="与对报告的 `report_accept` 任务调用 POST /tasks/{id}/complete 相同。要求补充须填写意见；"
                "报告不在接收环节返回 409。接收后其典型案例进入案例库。",
    body="ReportReviewInput", body_example={"decision": "more", "comment": "请补充典型案例的培训成效数据"},
    responses={200: Reply("Report", "办理后的报告")}, errors=(409,),
)
def review_report(call: ApiCall) -> Response:
    reports.review_report(db_session(), call.who, call.path["id"], call.body["decision"], call.body.get("comment", ""))
    return _report(call)


@operation(
    "POST", "/reports/{id}/urge", operation_id="urge_report", tag=TAG, roles=CITY_ROLES, params=(REPORT_ID,),
    summary="催办",
    description="报告在区局编写或补充时，市中心可以催办（次数不限），区人社局收到站内信。其他时候返回 409。",
    body="UrgeInput", body_example={"message": "请抓紧编写并报送半年经验总结报告。"},
    responses={200: Reply("Report", "报告")}, errors=(409,),
)
def urge_report(call: ApiCall) -> Response:
    reports.urge_report(db_session(), call.who, call.path["id"], call.body["message"])
    return _report(call)


# --- typical cases and their files -------------------------------------------------------------------------


@operation(
    "POST", "/reports/{id}/cases", operation_id="create_report_case", tag=TAG, roles=("district",),
    params=(REPORT_ID,), summary="新增典型案例",
    description="先保存文字内容（至少标题），再用 multipart 接口上传图片、视频和文档。报告已报送时返回 409。",
    body="ReportCaseInput", body_example=CASE_EXAMPLE, responses={201: Reply("ReportCase", "新增的案例")},
    errors=(409,),
)
def create_report_case(call: ApiCall) -> Response:
    case = reports.save_case(db_session(), call.who, call.path["id"], None, _case_data(call.body),
                             upload_dir=upload_dir(), limits=limits())
    return _case(call, case.id, 201)


@operation(
    "PUT", "/reports/{id}/cases/{case_id}", operation_id="update_report_case", tag=TAG, roles=("district",),
    params=(REPORT_ID, CASE_ID), summary="修改典型案例",
    description="整体替换文字内容（未提供的可选字段清空），已上传的文件不变。报告已报送时返回 409。",
    body="ReportCaseInput", body_example=CASE_EXAMPLE, responses={200: Reply("ReportCase", "修改后的案例")},
    errors=(409,),
)
def update_report_case(call: ApiCall) -> Response:
    case_id = _case_of_report(call)
    reports.save_case(db_session(), call.who, call.path["id"], case_id, _case_data(call.body),
                      upload_dir=upload_dir(), limits=limits())
    return _case(call, case_id)


@operation(
    "DELETE", "/reports/{id}/cases/{case_id}", operation_id="delete_report_case", tag=TAG, roles=("district",),
    params=(REPORT_ID, CASE_ID), summary="删除典型案例",
    description="只能删除从未报送过的案例（连同其文件）；已报送过的返回 409。",
    responses={204: Reply(None, "已删除")}, errors=(409,),
)
def delete_report_case(call: ApiCall) -> Response:
    reports.delete_case(db_session(), call.who, _case_of_report(call), upload_dir=upload_dir())
    return Response(status=204)


@operation(
    "POST", "/reports/{id}/cases/{case_id}/attachments", operation_id="upload_case_files", tag=TAG,
    roles=("district",), params=(REPORT_ID, CASE_ID), summary="上传典型案例的图片、视频、文档",
    description="`multipart/form-data`，文件字段 `pictures`、`videos`、`documents`，每个可重复。"
                "类型按文件内容判断（图片 JPEG/PNG/WebP，视频 MP4，文档 PDF/DOCX），大小上限与页面相同；"
                "任何一个文件未通过检查，整个请求不保存任何内容，返回 422 并在对应字段下说明原因。"
                "示例：`curl -F pictures=@学徒风采.jpg -F videos=@实训.mp4 ...`",
    body="ReportCaseFiles", body_media="multipart/form-data", max_body=CASE_FILES_MAX_BODY,
    decorators=(_uploads(None),), responses={201: Reply("ReportCase", "上传后的案例")}, errors=(409,),
)
def upload_case_files(call: ApiCall) -> Response:
    case_id = _case_of_report(call)
    reports.add_case_files(db_session(), call.who, call.path["id"], case_id, _files(CASE_FILE_FIELDS),
                           upload_dir=upload_dir(), limits=limits())
    return _case(call, case_id, 201)


@operation(
    "GET", "/reports/{id}/attachments/{attachment_id}", operation_id="download_attachment", tag=TAG,
    roles=REPORT_ROLES, params=(REPORT_ID, ATTACHMENT_ID), summary="下载文件",
    description="本区报告的文件；其他区的只有已接收报告中典型案例的文件（案例库）可以下载。",
    responses={200: Reply(None, "文件内容（类型见 Content-Type）", media=FILE_MEDIA)},
)
def download_attachment(call: ApiCall) -> Response:
    return _serve(call, thumbnail=False)


@operation(
    "GET", "/reports/{id}/attachments/{attachment_id}/thumbnail", operation_id="download_thumbnail", tag=TAG,
    roles=REPORT_ROLES, params=(REPORT_ID, ATTACHMENT_ID), summary="下载图片缩略图",
    description="图片的 JPEG 缩略图（最长边 480 像素）；其他文件返回 404。范围与下载文件相同。",
    responses={200: Reply(None, "JPEG 缩略图", media=("image/jpeg",))},
)
def download_thumbnail(call: ApiCall) -> Response:
    return _serve(call, thumbnail=True)


def _serve(call: ApiCall, thumbnail: bool) -> Response:
    _attachment_of_report(call)
    found = reports.file_to_serve(db_session(), call.who, call.path["attachment_id"], upload_dir=upload_dir(),
                                  thumbnail=thumbnail)
    response = send_file(found.path, mimetype=found.mime, conditional=True, etag=True, max_age=0)
    response.headers["Content-Disposition"] = uploads.content_disposition(found.download_name, found.inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@operation(
    "DELETE", "/reports/{id}/attachments/{attachment_id}", operation_id="delete_attachment", tag=TAG,
    roles=("district",), params=(REPORT_ID, ATTACHMENT_ID), summary="删除文件",
    description="报告编写或补充时可删除从未报送过的文件；已随报告报送的返回 409。",
    responses={204: Reply(None, "已删除")}, errors=(409,),
)
def delete_attachment(call: ApiCall) -> Response:
    attachment = _attachment_of_report(call)
    reports.remove_attachment(db_session(), call.who, attachment.id, upload_dir=upload_dir())
    return Response(status=204)


# --- publicity ---------------------------------------------------------------------------------------------


@operation(
    "POST", "/reports/{id}/publicity", operation_id="add_publicity", tag=TAG, roles=("district",),
    params=(REPORT_ID,), summary="新增宣传报道",
    description="`multipart/form-data`：`outlet`、`published_on`、`title`，以及 `link` 或报道扫描件 `scan`"
                "（图片或 PDF）。扫描件的检查与页面相同。",
    body="PublicityInput", body_media="multipart/form-data", max_body=SCAN_MAX_BODY, decorators=(_uploads("scan"),),
    responses={201: Reply("PublicityItem", "新增的宣传报道")}, errors=(409,),
)
def add_publicity(call: ApiCall) -> Response:
    body = call.body
    scans = _files({"scan": "scan"})
    if len(scans) > 1:
        raise RequestInvalid("只能上传一个报道扫描件。", {"scan": ["只能上传一个报道扫描件"]})
    data = reports.PublicityData(outlet=body["outlet"].strip(), published_on=date.fromisoformat(body["published_on"]),
                                 title=body["title"].strip(), link=body.get("link", "").strip())
    item = reports.add_publicity(db_session(), call.who, call.path["id"], data, scans[0] if scans else None,
                                 upload_dir=upload_dir(), limits=limits())
    session = fresh_session()
    found = session.get(PublicityItem, item.id)
    assert found is not None
    return json_response(serializers.publicity(found), 201, {"Location": f"/api/v1/reports/{call.path['id']}"})


@operation(
    "DELETE", "/reports/{id}/publicity/{item_id}", operation_id="delete_publicity", tag=TAG, roles=("district",),
    params=(REPORT_ID, ITEM_ID), summary="删除宣传报道",
    description="只能删除从未报送过的宣传报道；已报送过的返回 409。",
    responses={204: Reply(None, "已删除")}, errors=(409,),
)
def delete_publicity(call: ApiCall) -> Response:
    item = db_session().get(PublicityItem, call.path["item_id"])
    if item is None or item.report_id != call.path["id"]:
        raise service.NotFound("未找到该宣传报道。")
    reports.delete_publicity(db_session(), call.who, item.id, upload_dir=upload_dir())
    return Response(status=204)


# --- gallery -----------------------------------------------------------------------------------------------


@operation(
    "GET", "/gallery", operation_id="list_gallery", tag=GALLERY_TAG, roles=REPORT_ROLES, summary="典型案例库",
    description="已接收报告中的典型案例，优秀案例在前，再按半年度倒序。",
    params=(
        Param("district", no_description(schemas.DISTRICT), "区划代码"),
        Param("occupation", {"type": "string", "maxLength": 20}, "职业（工种）代码"),
        Param("type", {"type": "string", "enum": list(APPRENTICESHIP_TYPES)},
              "学徒类型：" + schemas.choices(APPRENTICESHIP_TYPES)),
        Param("period", {"type": "string", "pattern": "^[0-9]{4}H[12]$", "maxLength": 7}, "半年度，如 2027H1"),
        Param("excellent", {"type": "boolean"}, "仅看优秀案例"),
        PAGE, PER_PAGE,
    ),
    responses={200: Reply("Gallery", "一页典型案例")},
)
def list_gallery(call: ApiCall) -> Response:
    q = call.query
    page, per_page = page_of(call)
    filters = reports.GalleryFilters(district=q.get("district"), occupation=(q.get("occupation") or "").strip() or None,
                                     apprenticeship_type=q.get("type"), period=q.get("period"),
                                     excellent_only=bool(q.get("excellent")))
    cases, total = reports.gallery(db_session(), call.who, filters, page, per_page)
    return page_response([serializers.gallery_case(c) for c in cases], page, per_page, total)


@operation(
    "POST", "/gallery/cases/{case_id}/excellent", operation_id="mark_excellent", tag=GALLERY_TAG, roles=("city",),
    params=(CASE_ID,), summary="标记或取消优秀案例",
    description="市中心对已接收报告中的典型案例标记（或取消）优秀案例。",
    body="ExcellentInput", body_example={"excellent": True},
    responses={200: Reply("GalleryCase", "案例")},
)
def mark_excellent(call: ApiCall) -> Response:
    case = reports.mark_excellent(db_session(), call.who, call.path["case_id"], call.body["excellent"])
    session = fresh_session()
    return json_response(serializers.gallery_case(reports.get_case(session, call.who, case.id)))


def _case_section(session: Any, instance: WorkflowInstance, actor: Any) -> dict[str, Any] | None:
    report = reports.report_for_case(session, actor, instance.id)
    return serializers.report_summary(report, instance, deadlines.is_overdue(instance),
                                      deadlines.can_urge(session, actor, instance))


registry.case_section(reports.KIND, reports.KIND, registry.ref("ReportSummary"), _case_section)
