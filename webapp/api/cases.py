"""Cases in the caller's scope: a filtered, paginated list and the full detail of one case."""

from __future__ import annotations

from flask import Response

from webapp.api import schemas, serializers
from webapp.api.core import MAX_ID, ApiCall, db_session, operation
from webapp.api.errors import json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from workflows import service

TAG = tag("案件", "按角色范围查询案件：企业只见本企业的备案，区人社局只见本区，市中心和管理员可见全部。")
MAX_PER_PAGE = 100


@operation(
    "GET", "/cases", operation_id="list_cases", tag=TAG, summary="案件列表",
    description="按最近更新时间倒序。`total` 为符合条件的总数。",
    params=(
        Param("status", {k: v for k, v in schemas.STATUS.items() if k != "description"}, "状态代码"),
        Param("district", {k: v for k, v in schemas.DISTRICT.items() if k != "description"}, "区划代码"),
        Param("kind", {k: v for k, v in schemas.KIND.items() if k != "description"}, "案件类型"),
        Param("q", {"type": "string", "maxLength": 100}, "按标题、业务编号或企业名称搜索"),
        Param("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}, "页码，从 1 开始"),
        Param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
              f"每页条数（最多 {MAX_PER_PAGE}）"),
    ),
    responses={200: Reply("CaseList", "一页案件")},
)
def list_cases(call: ApiCall) -> Response:
    q = call.query
    page, per_page = q.get("page", 1), q.get("per_page", 20)
    filters = service.CaseFilters(status=q.get("status"), district=q.get("district"), kind=q.get("kind"),
                                  q=(q.get("q") or "").strip() or None)
    rows, total = service.list_cases(db_session(), call.who, filters, page, per_page)
    return json_response({"items": [serializers.case_summary(r) for r in rows], "page": page,
                          "per_page": per_page, "total": total})


@operation(
    "GET", "/cases/{id}", operation_id="get_case", tag=TAG,
    params=(Param("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "案件编号", location="path",
                  required=True, example=1),),
    summary="案件详情",
    description="状态、企业、备案内容、自动校验结果（checks）、调用者可办理的任务（tasks）和办理记录（history）。"
                "超出本人范围的案件返回 404。",
    responses={200: Reply("Case", "案件详情")},
)
def get_case(call: ApiCall) -> Response:
    instance = service.get_case(db_session(), call.who, call.path["id"])
    return json_response(serializers.case(db_session(), call.who, instance))
