"""Tasks: the caller's inbox, and completing a review task with a decision."""

from __future__ import annotations

from datetime import date

from flask import Response

from webapp.api import serializers
from webapp.api.core import PAGE, PER_PAGE, ApiCall, no_description, operation, page_of, page_response
from webapp.api.errors import json_response
from webapp.api.registry import ROLES, Param, tag
from webapp.api.registry import Response as Reply
from webapp.api.schemas.common import DATE, KIND
from webapp.extensions import db_session
from workflows import service
from workflows.clock import start_of_day

TAG = tag("待办任务", "调用者可以办理的任务。区人社局审核：approve / return / reject；"
                    "市级备案：record / send_back。企业的“填写并提交备案”任务通过提交备案接口办理。")


SORT_LABELS = "due 按期限先后（无期限的排最后）、submitted 按送达先后；前加 - 为倒序"


@operation(
    "GET", "/tasks", operation_id="list_tasks", tag=TAG, summary="待办任务",
    description="调用者本角色、本区或本企业的就绪任务，分页返回，`total` 为符合条件的总数。"
                "默认按期限先后排列（`sort=due`），`sort=submitted` 按任务送达（案件提交到本环节）的先后。",
    params=(
        Param("q", {"type": "string", "maxLength": 100}, "按案件标题、业务编号或企业名称搜索"),
        Param("kind", no_description(KIND), "案件类型"),
        Param("role", {"type": "string", "enum": list(ROLES)}, "任务所属角色（调用者只能看到本角色的任务）"),
        Param("due_before", no_description(DATE), "期限早于该日（中国时间当日零点）"),
        Param("sort", {"type": "string", "enum": list(service.INBOX_SORTS), "default": "due"}, SORT_LABELS),
        PAGE, PER_PAGE,
    ),
    responses={200: Reply("TaskList", "一页任务")},
)
def list_tasks(call: ApiCall) -> Response:
    q = call.query
    page, per_page = page_of(call)
    due_before = q.get("due_before")
    filters = service.TaskFilters(
        q=(q.get("q") or "").strip() or None, kind=q.get("kind"), role=q.get("role"),
        due_before=start_of_day(date.fromisoformat(due_before)) if due_before else None,
        sort=q.get("sort") or "due")
    rows, total = service.task_page(db_session(), call.who, filters, page, per_page)
    return page_response([serializers.task(r.task) for r in rows], page, per_page, total)


@operation(
    "POST", "/tasks/{id}/complete", operation_id="complete_task", tag=TAG, roles=("district", "city"),
    params=(Param("id", {"type": "string", "maxLength": 36}, "任务编号", location="path", required=True,
                  example="2f1c0d1e-5a7b-4c1d-9e8f-0a1b2c3d4e5f"),),
    summary="办理任务（作出结论）",
    description="除 approve、record 外必须填写意见（comment）。通过时若有学员岗位与培训职业不一致，须同时提交"
                " `\"confirm_mismatches\": true`。任务已被办理（或任务与案件状态不一致）返回 409；"
                "不在本人范围返回 404。返回精简结果：案件编号、办理后的状态和接下来的就绪任务；"
                "完整案件见 `GET /cases/{id}`。",
    body="TaskCompletion", body_example={"decision": "return", "comment": "请补充院校导师信息"},
    responses={200: Reply("TaskOutcome", "办理结果")}, errors=(409,),
)
def complete_task(call: ApiCall) -> Response:
    body = call.body
    outcome = service.complete_task(db_session(), call.who, call.path["id"], body["decision"],
                                    body.get("comment", ""), bool(body.get("confirm_mismatches", False)))
    return json_response(serializers.task_outcome(call.who, outcome))
