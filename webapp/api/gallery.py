"""The typical-case gallery (典型案例库): typical cases of accepted semiannual reports, visible to every
district; the city marks excellent cases. Every rule is in ``workflows.reports``.
"""

from __future__ import annotations

from flask import Response

from webapp.api import serializers
from webapp.api.core import (
    PAGE,
    PER_PAGE,
    ApiCall,
    fresh_session,
    no_description,
    operation,
    page_of,
    page_response,
)
from webapp.api.errors import json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.api.reports import CASE_ID, REPORT_ROLES
from webapp.api.schemas.common import DISTRICT, choices
from webapp.extensions import db_session
from workflows import service
from workflows.models.filing import APPRENTICESHIP_TYPES

GALLERY_TAG = tag("典型案例库", "已接收报告中的典型案例，全市各区可查阅；市中心可标记优秀案例。")


# --- gallery -----------------------------------------------------------------------------------------------


@operation(
    "GET", "/gallery", operation_id="list_gallery", tag=GALLERY_TAG, roles=REPORT_ROLES, summary="典型案例库",
    description="已接收报告中的典型案例，优秀案例在前，再按半年度倒序。",
    params=(
        Param("district", no_description(DISTRICT), "区划代码"),
        Param("occupation", {"type": "string", "maxLength": 20}, "职业（工种）代码"),
        Param("type", {"type": "string", "enum": list(APPRENTICESHIP_TYPES)},
              "学徒类型：" + choices(APPRENTICESHIP_TYPES)),
        Param("period", {"type": "string", "pattern": "^[0-9]{4}H[12]$", "maxLength": 7}, "半年度，如 2027H1"),
        Param("excellent", {"type": "boolean"}, "仅看优秀案例"),
        PAGE, PER_PAGE,
    ),
    responses={200: Reply("Gallery", "一页典型案例")},
)
def list_gallery(call: ApiCall) -> Response:
    q = call.query
    page, per_page = page_of(call)
    filters = service.GalleryFilters(district=q.get("district"),
                                            occupation=(q.get("occupation") or "").strip() or None,
                                            apprenticeship_type=q.get("type"), period=q.get("period"),
                                            excellent_only=bool(q.get("excellent")))
    cases, total = service.gallery(db_session(), call.who, filters, page, per_page)
    return page_response([serializers.gallery_case(c) for c in cases], page, per_page, total)


@operation(
    "POST", "/gallery/cases/{case_id}/excellent", operation_id="mark_excellent", tag=GALLERY_TAG, roles=("city",),
    params=(CASE_ID,), summary="标记或取消优秀案例",
    description="市中心对已接收报告中的典型案例标记（或取消）优秀案例。",
    body="ExcellentInput", body_example={"excellent": True},
    responses={200: Reply("GalleryCase", "案例")},
)
def mark_excellent(call: ApiCall) -> Response:
    case = service.mark_excellent(db_session(), call.who, call.path["case_id"], call.body["excellent"])
    session = fresh_session()
    return json_response(serializers.gallery_case(service.get_report_case(session, call.who, case.id)))

