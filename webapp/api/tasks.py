"""Tasks: the caller's inbox, and completing a review task with a decision."""

from __future__ import annotations

from datetime import date

from flask import Response

from webapp.api import serializers
from webapp.api.core import PAGE, PER_PAGE, ApiCall, no_description, operation, page_of, page_response
from webapp.api.errors import json_response
from webapp.api.registry import ROLES, Param, tag
from webapp.api.registry import Response as Reply
from webapp.api.schemas.common import DATE, DISTRICT, KIND
from webapp.extensions import db_session
from workflows import service
from workflows.clock import start_of_day
from workflows.models import TaskIndex

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
        Param("assignee", {"type": "string", "enum": ["me", "none"]}, "me：本人认领或转办给本人的；none：尚未认领的"),
        Param("district", no_description(DISTRICT), "案件所在区（市中心筛选）"),
        Param("flagged", {"type": "integer", "enum": [0, 1]}, "1：只看有提示项（软性校验未通过）的备案"),
        Param("resubmitted", {"type": "integer", "enum": [0, 1]}, "1：只看重新提交（第2次及以后）的备案"),
        Param("overdue", {"type": "integer", "enum": [0, 1]}, "1：只看已逾期的任务"),
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
        sort=q.get("sort") or "due", assignee=q.get("assignee"), district=q.get("district"),
        flagged=bool(q.get("flagged")), resubmitted=bool(q.get("resubmitted")), overdue=bool(q.get("overdue")))
    rows, total = service.task_page(db_session(), call.who, filters, page, per_page)
    return page_response([serializers.task(r.task, assignee=(r.assignee_username, r.assignee_name)
                                           if r.assignee_username else None) for r in rows], page, per_page, total)


TASK_ID = Param("id", {"type": "string", "maxLength": 36}, "任务编号", location="path", required=True,
                example="2f1c0d1e-5a7b-4c1d-9e8f-0a1b2c3d4e5f")


def _assignment(row: TaskIndex) -> Response:
    who = service.assignee_of(db_session(), row)
    return json_response({"id": row.task_id, "case_id": row.instance_id,
                          "assignee": {"username": who[0], "name": who[1]} if who else None})


@operation(
    "POST", "/tasks/{id}/claim", operation_id="claim_task", tag=TAG, roles=("district", "city"),
    params=(TASK_ID,), summary="认领任务",
    description="本环节的办理人员认领任务，认领后只能由本人办理。已被他人认领返回 409（说明认领人）。",
    responses={200: Reply("TaskAssignment", "认领后的任务")}, errors=(409,),
)
def claim_task(call: ApiCall) -> Response:
    return _assignment(service.claim_task(db_session(), call.who, call.path["id"]))


@operation(
    "POST", "/tasks/{id}/transfer", operation_id="transfer_task", tag=TAG, roles=("district", "city", "admin"),
    params=(TASK_ID,), summary="转办任务",
    description="把任务转给同组的一名在岗人员（须填写说明），对方收到通知。已认领的任务由认领人转办；"
                "市级人员和管理员可以重新指派任何任务。",
    body="TaskTransfer", body_example={"to": "review-440106-2", "comment": "本周由你负责"},
    responses={200: Reply("TaskAssignment", "转办后的任务")}, errors=(409,),
)
def transfer_task(call: ApiCall) -> Response:
    body = call.body
    return _assignment(service.transfer_task(db_session(), call.who, call.path["id"], body["to"], body["comment"]))


@operation(
    "POST", "/tasks/{id}/release", operation_id="release_task", tag=TAG, roles=("district", "city", "admin"),
    params=(TASK_ID,), summary="退回组",
    description="取消认领，任务重新属于本组全体人员。由认领人、市级人员或管理员操作；未被认领返回 409。",
    responses={200: Reply("TaskAssignment", "退回组后的任务")}, errors=(409,),
)
def release_task(call: ApiCall) -> Response:
    return _assignment(service.release_task(db_session(), call.who, call.path["id"]))


@operation(
    "POST", "/tasks/batch-complete", operation_id="batch_complete_tasks", tag=TAG, roles=("district", "city"),
    summary="批量办理",
    description="对多项任务作出同一结论和意见。每项单独校验（与单项办理相同：岗位不一致未确认、超出预算、"
                "已被处理等），不能办理的逐项说明原因且不作任何改动，其余照常办理。"
                "批量办理不确认岗位与职业不一致，此类备案须逐项审核。",
    body="TaskBatch", body_example={"task_ids": ["2f1c0d1e-5a7b-4c1d-9e8f-0a1b2c3d4e5f"], "decision": "approve",
                                    "comment": "同意"},
    responses={200: Reply("TaskBatchResult", "逐项结果")},
)
def batch_complete(call: ApiCall) -> Response:
    body = call.body
    results = service.batch_complete(db_session(), call.who, list(body["task_ids"]), body["decision"],
                                     body.get("comment", ""))
    return json_response({"results": [{"task_id": r.task_id, "ok": r.ok, "error": r.error} for r in results]})


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
