"""Quarterly district plans (区季度培训计划): list, detail, the district's edits and submission, the city's
record/return, urge and manual opening, and the Excel export. Every rule is in ``workflows.plans``.

The city's decision can also be made through ``POST /tasks/{id}/complete`` (the plan's ``plan_record``
task lists its decisions); ``POST /plans/{id}/decision`` does the same without looking up the task.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, current_app

from webapp.api import registry, serializers
from webapp.api.core import (
    MAX_ID,
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
from webapp.api.schemas.common import DISTRICT, PLAN_STATUS
from webapp.extensions import db_session
from workflows import errors, service
from workflows.models import WorkflowInstance

TAG = tag("季度计划", "区人社局每季度编制本区培训计划（由受理中和已通过的备案生成），提交市职业能力建设指导中心备案。"
                    "路径中的 id 为计划编号（计划列表、案件详情中的 quarterly_plan.id）。区人社局只能看到本区的计划。")
PLAN_ID = Param("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "计划编号", location="path",
                required=True, example=1)
XLSX = service.XLSX_MIMETYPE
PLAN_ROLES = ("district", "city", "admin")
CITY_ROLES = ("city", "admin")  # who may urge and open (deadlines.can_urge, plans.open_plan)

EDIT_EXAMPLE = {"notes": "本季度重点推进制造业企业学徒培训。", "justification": "",
                "rows": [{"id": 1, "included": True}, {"id": 2, "included": False, "reason": "企业推迟至下季度开班"}]}


def _plan(call: ApiCall) -> Response:
    session = fresh_session()
    plan, instance = service.plan_by_id(session, call.who, call.path["id"])
    return json_response(serializers.plan(session, call.who, plan, instance))


def _instance_id(call: ApiCall) -> int:
    """The case behind ``/plans/{id}``, in the caller's scope (404 otherwise)."""
    _, instance = service.plan_by_id(db_session(), call.who, call.path["id"])
    return instance.id


def _edit(body: dict[str, Any] | None) -> service.PlanEdit:
    body = body or {}
    return service.PlanEdit(
        notes=body.get("notes", ""), justification=body.get("justification", ""),
        rows=[service.PlanRowEdit(row_id=int(r["id"]), included=r["included"], reason=r.get("reason", ""))
              for r in body.get("rows", [])])


def _with_row_paths(call: ApiCall, exc: errors.ValidationFailed) -> errors.ValidationFailed:
    """The service names rows ``row_<id>``; the API names them by their place in the plan's ``rows``."""
    session = fresh_session()
    plan, _ = service.plan_by_id(session, call.who, call.path["id"])
    fields: dict[str, list[str]] = {}
    for key, messages in exc.fields.items():
        fields.setdefault(serializers.plan_field(plan, key), []).extend(messages)
    return errors.ValidationFailed(exc.message, fields)


@operation(
    "GET", "/plans", operation_id="list_plans", tag=TAG, roles=PLAN_ROLES, summary="季度计划列表",
    description="已开启的季度计划，按季度倒序、区划代码排列。区人社局只看到本区的计划。",
    params=(
        Param("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "年度"),
        Param("quarter", {"type": "integer", "minimum": 1, "maximum": 4}, "季度（1-4）"),
        Param("district", no_description(DISTRICT), "区划代码"),
        Param("status", no_description(PLAN_STATUS), "状态代码"),
        PAGE, PER_PAGE,
    ),
    responses={200: Reply("PlanList", "一页季度计划")},
)
def list_plans(call: ApiCall) -> Response:
    q = call.query
    page, per_page = page_of(call)
    filters = service.PlanFilters(year=q.get("year"), quarter=q.get("quarter"), district=q.get("district"),
                                status=q.get("status"))
    items, total = service.find_plans(db_session(), call.who, filters, page, per_page)
    return page_response([serializers.plan_summary(it.plan, it.instance, it.overdue, it.can_urge)
                          for it in items if it.plan is not None and it.instance is not None], page, per_page, total)


@operation(
    "POST", "/plans/open", operation_id="open_plan", tag=TAG, roles=CITY_ROLES, summary="开启某区某季度的计划",
    description="季度开始时系统自动开启各区计划；市中心也可以手动开启。已开启的返回 409。",
    body="PlanOpenInput", body_example={"district_code": "440106", "year": 2027, "quarter": 1},
    responses={201: Reply("Plan", "新开启的计划")}, errors=(409,),
)
def open_plan(call: ApiCall) -> Response:
    body = call.body
    # JSON Schema counts 2027.0 as an integer: hand the use case real ints.
    instance = service.open_plan(db_session(), call.who, body["district_code"], int(body["year"]),
                                    int(body["quarter"]))
    session = fresh_session()
    plan, instance = service.get_plan(session, call.who, instance.id)
    return json_response(serializers.plan(session, call.who, plan, instance), 201,
                         {"Location": f"/api/v1/plans/{plan.id}"})


@operation(
    "GET", "/plans/export.xlsx", operation_id="export_quarter_plans", tag=TAG, roles=CITY_ROLES,
    summary="导出某季度各区计划汇总（Excel）",
    description="汇总表和每区一张工作表。仅市中心和管理员可调用。",
    params=(Param("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "年度", required=True,
                  example=2027),
            Param("quarter", {"type": "integer", "minimum": 1, "maximum": 4}, "季度（1-4）", required=True,
                  example=1)),
    responses={200: Reply(None, f"Excel 工作簿（`{XLSX}`）", media=(XLSX,))},
)
def export_quarter_plans(call: ApiCall) -> Response:
    return _xlsx(*service.export_quarter(db_session(), call.who, call.query["year"], call.query["quarter"]))


@operation(
    "GET", "/plans/{id}", operation_id="get_plan", tag=TAG, roles=PLAN_ROLES, params=(PLAN_ID,),
    summary="季度计划详情",
    description="计划行、R3/R4/R5 指标（办理中为实时数据，已备案为备案时的数据）、提示、状态和期限、"
                "调用者可办理的任务（含可选结论）以及办理记录。",
    responses={200: Reply("Plan", "计划详情")},
)
def get_plan(call: ApiCall) -> Response:
    return _plan(call)


@operation(
    "PUT", "/plans/{id}", operation_id="update_plan", tag=TAG, roles=("district",), params=(PLAN_ID,),
    summary="编制计划（保存，不提交）",
    description="区人社局在待编制（`compiling`）或已退回（`returned`）时修改：纳入或不纳入各行（不纳入须写原因，"
                "提交时校验）、备注和书面说明。其他状态返回 409；计划行已更新（如从备案数据更新后）也返回 409。",
    body="PlanInput", body_example=EDIT_EXAMPLE, responses={200: Reply("Plan", "保存后的计划")}, errors=(409,),
)
def update_plan(call: ApiCall) -> Response:
    service.save_plan(db_session(), call.who, _instance_id(call), _edit(call.body))
    return _plan(call)


@operation(
    "POST", "/plans/{id}/refresh", operation_id="refresh_plan", tag=TAG, roles=("district",), params=(PLAN_ID,),
    summary="从备案数据更新计划行",
    description="重新读取本区与本季度重叠的受理中和已通过的备案：新增的备案加入计划，不再符合的移除，"
                "已有行的纳入选择和原因保留。",
    responses={200: Reply("Plan", "更新后的计划")}, errors=(409,),
)
def refresh_plan(call: ApiCall) -> Response:
    service.refresh_plan(db_session(), call.who, _instance_id(call))
    return _plan(call)


@operation(
    "POST", "/plans/{id}/submit", operation_id="submit_plan", tag=TAG, roles=("district",), params=(PLAN_ID,),
    summary="提交（或退回后重新提交）计划",
    description="可同时提交修改（与 PUT 相同的字段；省略请求体则按已保存的内容提交）。自动校验未通过时整个提交不生效，"
                "返回 422，`fields` 列出问题，如 `rows[2].reason`（不纳入未写原因）、`justification`"
                "（全年中级工及以上占比低于70%须写书面说明）。通过后进入市级备案（`city_record`）。",
    body="PlanInput", body_required=False, body_example=EDIT_EXAMPLE,
    responses={200: Reply("Plan", "提交后的计划")}, errors=(409, 422),
)
def submit_plan(call: ApiCall) -> Response:
    instance_id = _instance_id(call)
    try:
        service.submit_plan(db_session(), call.who, instance_id, _edit(call.body) if call.body is not None else None)
    except errors.ValidationFailed as exc:
        raise _with_row_paths(call, exc) from exc
    return _plan(call)


@operation(
    "POST", "/plans/{id}/decision", operation_id="decide_plan", tag=TAG, roles=("city",), params=(PLAN_ID,),
    summary="市级备案：予以备案或退回修改",
    description="与对计划的 `plan_record` 任务调用 POST /tasks/{id}/complete 相同。退回须填写意见；"
                "计划不在市级备案环节返回 409。",
    body="PlanDecisionInput", body_example={"decision": "return", "comment": "请补充第2行不纳入的原因说明"},
    responses={200: Reply("Plan", "办理后的计划")}, errors=(409,),
)
def decide_plan(call: ApiCall) -> Response:
    service.decide_plan(db_session(), call.who, _instance_id(call), call.body["decision"],
                           call.body.get("comment", ""))
    return _plan(call)


@operation(
    "POST", "/plans/{id}/urge", operation_id="urge_plan", tag=TAG, roles=CITY_ROLES, params=(PLAN_ID,),
    summary="催办",
    description="计划在区局编制或修改时，市中心可以催办（次数不限），区人社局收到站内信。其他时候返回 409。",
    body="UrgeInput", body_example={"message": "请尽快完成本季度培训计划的编制和报送。"},
    responses={200: Reply("Plan", "计划")}, errors=(409,),
)
def urge_plan(call: ApiCall) -> Response:
    service.urge_plan(db_session(), call.who, _instance_id(call), call.body["message"])
    return _plan(call)


@operation(
    "GET", "/plans/{id}/export.xlsx", operation_id="export_plan", tag=TAG, roles=PLAN_ROLES, params=(PLAN_ID,),
    summary="导出计划（Excel）",
    description="按通知要求的列：区、企业名称、统一社会信用代码、培训工种（职业）、项目、等级、培训人数、资金使用计划。",
    responses={200: Reply(None, f"Excel 工作簿（`{XLSX}`）", media=(XLSX,))},
)
def export_plan(call: ApiCall) -> Response:
    return _xlsx(*service.export_plan(db_session(), call.who, _instance_id(call)))


def _xlsx(name: str, content: bytes) -> Response:
    response = current_app.response_class(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename=plan.xlsx; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _case_section(session: Any, instance: WorkflowInstance, actor: Any) -> dict[str, Any] | None:
    plan, _ = service.get_plan(session, actor, instance.id)
    return serializers.plan_summary(plan, instance, service.is_overdue(instance),
                                    service.can_urge(session, actor, instance))


registry.case_section(service.PLAN_KIND, service.PLAN_KIND, registry.ref("PlanSummary"), _case_section)
