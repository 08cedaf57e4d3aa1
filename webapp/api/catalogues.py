"""Reference catalogues for filling a filing: occupations (职业工种) and planning textbooks."""

from __future__ import annotations

from flask import Response

from webapp.api.core import ApiCall, operation
from webapp.api.errors import json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.extensions import db_session
from workflows import service
from workflows.models.filing import COURSE_CATEGORIES

TAG = tag("目录", "职业（工种）目录和全国职业培训规划教材目录，所有已登录角色均可查询。")


@operation(
    "GET", "/occupations", operation_id="list_occupations", tag=TAG, summary="职业（工种）目录",
    description="备案的 `occupation_code` 必须取自本目录；`job_posts` 为与该职业一致的常见岗位名称。",
    params=(Param("q", {"type": "string", "maxLength": 50}, "按代码、名称或别名筛选（包含即可）"),),
    responses={200: Reply("OccupationList", "职业列表")},
)
def list_occupations(call: ApiCall) -> Response:
    q = (call.query.get("q") or "").strip()
    items = [{"code": o.code, "name": o.name, "aliases": list(o.aliases), "job_posts": list(o.job_posts),
              "levels": list(o.levels)}
             for o in service.occupations(db_session()).values()
             if not q or q in o.code or q in o.name or any(q in a for a in o.aliases)]
    return json_response({"items": items})


@operation(
    "GET", "/textbooks", operation_id="list_textbooks", tag=TAG, summary="全国职业培训规划教材目录",
    description="通用素质必修课（general_required）的教材必须在本目录内；其他类别使用目录外教材须填写理由。",
    params=(
        Param("category", {"type": "string", "enum": list(COURSE_CATEGORIES)}, "课程类别"),
        Param("occupation_code", {"type": "string", "maxLength": 20}, "适用的职业（工种）代码"),
    ),
    responses={200: Reply("TextbookList", "教材列表")},
)
def list_textbooks(call: ApiCall) -> Response:
    category = call.query.get("category")
    code = call.query.get("occupation_code")
    items = [{"isbn": t.isbn, "title": t.title, "publisher": t.publisher, "category": t.category,
              "occupation_codes": list(t.occupation_codes)}
             for t in service.textbooks(db_session()).values()
             if (not category or t.category == category) and (not code or code in t.occupation_codes)]
    return json_response({"items": items})
