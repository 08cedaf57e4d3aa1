"""Tasks: the caller's inbox, and completing a review task with a decision."""

from __future__ import annotations

from flask import Response

from webapp.api import serializers
from webapp.api.core import ApiCall, operation
from webapp.api.errors import json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.api.schemas.common import KIND
from webapp.extensions import db_session
from workflows import service

TAG = tag("待办任务", "调用者可以办理的任务。区人社局审核：approve / return / reject；"
                    "市级备案：record / send_back。企业的“填写并提交备案”任务通过提交备案接口办理。")


@operation(
    "GET", "/tasks", operation_id="list_tasks", tag=TAG, summary="待办任务",
    description="调用者本角色、本区或本企业的就绪任务，按期限先后排列。",
    params=(Param("kind", {k: v for k, v in KIND.items() if k != "description"}, "案件类型"),),
    responses={200: Reply("TaskList", "任务列表")},
)
def list_tasks(call: ApiCall) -> Response:
    rows = service.inbox(db_session(), call.who, call.query.get("kind"))
    return json_response({"items": [serializers.task(r) for r in rows]})


@operation(
    "POST", "/tasks/{id}/complete", operation_id="complete_task", tag=TAG, roles=("district", "city"),
    params=(Param("id", {"type": "string", "maxLength": 36}, "任务编号", location="path", required=True,
                  example="2f1c0d1e-5a7b-4c1d-9e8f-0a1b2c3d4e5f"),),
    summary="办理任务（作出结论）",
    description="除 approve、record 外必须填写意见（comment）。通过时若有学员岗位与培训职业不一致，须同时提交"
                " `\"confirm_mismatches\": true`。任务已被办理返回 409；不在本人范围返回 404。",
    body="TaskCompletion", body_example={"decision": "return", "comment": "请补充院校导师信息"},
    responses={200: Reply("Case", "办理后的案件")}, errors=(409,),
)
def complete_task(call: ApiCall) -> Response:
    body = call.body
    instance = service.complete_task(db_session(), call.who, call.path["id"], body["decision"],
                                     body.get("comment", ""), bool(body.get("confirm_mismatches", False)))
    instance = service.get_case(db_session(), call.who, instance.id)
    return json_response(serializers.case(db_session(), call.who, instance))
