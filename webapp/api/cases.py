"""Cases in the caller's scope: a filtered, paginated list and the full detail of one case."""

from __future__ import annotations

from flask import Response, stream_with_context

from webapp.api import serializers
from webapp.api.core import (
    MAX_ID,
    PAGE,
    PER_PAGE,
    REVEAL,
    ApiCall,
    no_description,
    operation,
    page_of,
    page_response,
    reveal_ids,
)
from webapp.api.errors import json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.api.schemas.common import DISTRICT, KIND, STATUS
from webapp.extensions import db_session
from workflows import service

TAG = tag("案件", "按角色范围查询案件：企业只见本企业的备案，区人社局只见本区，市中心和管理员可见全部。")


@operation(
    "GET", "/cases", operation_id="list_cases", tag=TAG, summary="案件列表",
    description="按最近更新时间倒序。`total` 为符合条件的总数。",
    params=(
        Param("status", no_description(STATUS), "状态代码"),
        Param("district", no_description(DISTRICT), "区划代码"),
        Param("kind", no_description(KIND), "案件类型"),
        Param("q", {"type": "string", "maxLength": 100}, "按标题、业务编号或企业名称搜索"),
        PAGE, PER_PAGE,
    ),
    responses={200: Reply("CaseList", "一页案件")},
)
def list_cases(call: ApiCall) -> Response:
    q = call.query
    page, per_page = page_of(call)
    filters = service.CaseFilters(status=q.get("status"), district=q.get("district"), kind=q.get("kind"),
                                  q=(q.get("q") or "").strip() or None)
    rows, total = service.list_cases(db_session(), call.who, filters, page, per_page)
    return page_response([serializers.case_summary(r) for r in rows], page, per_page, total)


@operation(
    "GET", "/cases/export.xlsx", operation_id="export_cases", tag=TAG, roles=("district", "city"),
    summary="导出案件列表（Excel）",
    description="与 `GET /cases` 相同的筛选条件和范围，导出全部符合条件的案件（不分页，流式输出）。"
                "`rosters=1` 时另附“学员名单”工作表，身份证号码已脱敏。"
                "以 = + - @ 开头的文字按文本写入，不会被当作公式。",
    params=(
        Param("status", no_description(STATUS), "状态代码"),
        Param("district", no_description(DISTRICT), "区划代码"),
        Param("kind", no_description(KIND), "案件类型"),
        Param("q", {"type": "string", "maxLength": 100}, "按标题、业务编号或企业名称搜索"),
        Param("rosters", {"type": "integer", "enum": [0, 1], "default": 0}, "是否附学员名单（1：附）"),
    ),
    responses={200: Reply(None, f"Excel 工作簿（`{service.XLSX_MIMETYPE}`）", media=(service.XLSX_MIMETYPE,))},
)
def export_cases(call: ApiCall) -> Response:
    q = call.query
    filters = service.CaseFilters(status=q.get("status"), district=q.get("district"), kind=q.get("kind"),
                                  q=(q.get("q") or "").strip() or None)
    name, chunks = service.export_cases(db_session(), call.who, filters, rosters=bool(q.get("rosters")))
    response = Response(stream_with_context(chunks), mimetype=service.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = service.content_disposition(name, False)
    return response


@operation(
    "GET", "/cases/{id}", operation_id="get_case", tag=TAG,
    params=(Param("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "案件编号", location="path",
                  required=True, example=1), REVEAL),
    summary="案件详情",
    description="状态、企业、备案内容、自动校验结果（checks）、调用者可办理的任务（tasks）和办理记录（history）。"
                "超出本人范围的案件返回 404。学员身份证号码默认脱敏；区、市审核人员加 `?reveal=id_numbers` "
                "查看完整号码（记入安全审计日志），其他角色返回 403。",
    responses={200: Reply("Case", "案件详情")}, errors=(403,),
)
def get_case(call: ApiCall) -> Response:
    session = db_session()
    instance = service.get_case(session, call.who, call.path["id"])
    return json_response(serializers.case(session, call.who, instance, revealed=reveal_ids(call, instance)))

