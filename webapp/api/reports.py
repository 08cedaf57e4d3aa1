"""Semiannual experience reports (半年经验总结报告): list, detail, the district's summary, typical cases
(their text) and submission; the city's accept / ask for more, urge and manual opening. Every rule is in
``workflows.reports``. The cases' files and the publicity items are in ``webapp.api.report_files``, the
typical-case gallery in ``webapp.api.gallery``; both build on the tag, path parameters and helpers here.

The city's decision can also be made through ``POST /tasks/{id}/complete`` (the report's
``report_accept`` task lists its decisions ``accept`` / ``more``).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from webapp.api import registry, serializers
from webapp.api.core import (
    PAGE,
    PER_PAGE,
    ApiCall,
    fresh_session,
    id_param,
    no_description,
    operation,
    page_of,
    page_response,
)
from webapp.api.errors import json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.api.schemas.common import DISTRICT, REPORT_STATUS
from webapp.extensions import db_session
from webapp.reports.blueprint import limits, upload_dir
from workflows import errors, service
from workflows.models import WorkflowInstance

TAG = tag("半年报告", "区人社局每半年编写经验总结、典型案例（图片、视频、文档）和宣传报道，报送市中心；"
                    "市中心接收或要求补充。路径中的 id 为报告编号（报告列表、案件详情中的 semiannual_report.id）。"
                    "区人社局只能看到本区的报告。")

REPORT_ROLES = ("district", "city", "admin")
CITY_ROLES = ("city", "admin")  # who may urge and open (deadlines.can_urge, reports.open_report)


REPORT_ID = id_param("id", "报告编号")
CASE_ID = id_param("case_id", "典型案例编号")

CASE_EXAMPLE = {"title": "黄埔区汽车零部件企业学徒培养案例", "enterprise_name": "广州黄埔汽车零部件制造有限公司",
                "occupation_code": "6-18-01-01", "apprenticeship_type": "enterprise_apprentice",
                "narrative": "企业与技工院校共同制定培养方案。\n\n双导师带教，学徒全部取得中级工证书。"}



def _report(call: ApiCall, report_id: int | None = None, status: int = 200) -> Response:
    session = fresh_session()
    view = service.report_view(session, call.who, report_id or call.path["id"])
    headers = {"Location": f"/api/v1/reports/{view.report.id}"} if status == 201 else None
    return json_response(serializers.report(session, call.who, view), status, headers)


def case_response(call: ApiCall, case_id: int, status: int = 200) -> Response:
    """The typical case as it is now (``ReportCase``); on 201 its report's address as ``Location``."""
    session = fresh_session()
    case = service.get_report_case(session, call.who, case_id)
    headers = {"Location": f"/api/v1/reports/{case.report_id}"} if status == 201 else None
    return json_response(serializers.report_case(case), status, headers)


def case_of_report(call: ApiCall) -> int:
    """The path's case, which must belong to the path's report (404 otherwise, also out of scope)."""
    case = service.get_report_case(db_session(), call.who, call.path["case_id"])
    if case.report_id != call.path["id"]:
        raise errors.NotFound("未找到该案例。")
    return case.id



def _case_data(body: dict[str, Any]) -> service.ReportCaseData:
    return service.ReportCaseData(title=body["title"], enterprise_name=body.get("enterprise_name", ""),
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
        Param("district", no_description(DISTRICT), "区划代码"),
        Param("status", no_description(REPORT_STATUS), "状态代码"),
        PAGE, PER_PAGE,
    ),
    responses={200: Reply("ReportList", "一页半年报告")},
)
def list_reports(call: ApiCall) -> Response:
    q = call.query
    page, per_page = page_of(call)
    filters = service.ReportFilters(year=q.get("year"), half=q.get("half"), district=q.get("district"),
                                    status=q.get("status"))
    session = db_session()
    rows, total = service.find_reports(session, call.who, filters, page, per_page)
    return page_response([serializers.report_summary(r.report, r.instance, r.overdue,
                                                     service.can_urge(session, call.who, r.instance))
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
    report = service.open_report(db_session(), body["district_code"], int(body["year"]), int(body["half"]),
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
    service.save_summary(db_session(), call.who, call.path["id"], call.body["summary"])
    return _report(call)


@operation(
    "POST", "/reports/{id}/submit", operation_id="submit_report", tag=TAG, roles=("district",),
    params=(REPORT_ID,), summary="报送（或补充后重新报送）报告",
    description="经验总结和至少一个内容完整的典型案例齐全才能报送，否则返回 422（`fields` 的 `summary`、`cases`）。"
                "报送后已报送的案例、宣传报道和文件不能再删除。",
    responses={200: Reply("Report", "报送后的报告")}, errors=(409, 422),
)
def submit_report(call: ApiCall) -> Response:
    service.submit_report(db_session(), call.who, call.path["id"])
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
    service.review_report(db_session(), call.who, call.path["id"], call.body["decision"],
                                call.body.get("comment", ""))
    return _report(call)


@operation(
    "POST", "/reports/{id}/urge", operation_id="urge_report", tag=TAG, roles=CITY_ROLES, params=(REPORT_ID,),
    summary="催办",
    description="报告在区局编写或补充时，市中心可以催办（次数不限），区人社局收到站内信。其他时候返回 409。",
    body="UrgeInput", body_example={"message": "请抓紧编写并报送半年经验总结报告。"},
    responses={200: Reply("Report", "报告")}, errors=(409,),
)
def urge_report(call: ApiCall) -> Response:
    service.urge_report(db_session(), call.who, call.path["id"], call.body["message"])
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
    case = service.save_report_case(db_session(), call.who, call.path["id"], None, _case_data(call.body),
                             upload_dir=upload_dir(), limits=limits())
    return case_response(call, case.id, 201)


@operation(
    "PUT", "/reports/{id}/cases/{case_id}", operation_id="update_report_case", tag=TAG, roles=("district",),
    params=(REPORT_ID, CASE_ID), summary="修改典型案例",
    description="整体替换文字内容（未提供的可选字段清空），已上传的文件不变。报告已报送时返回 409。",
    body="ReportCaseInput", body_example=CASE_EXAMPLE, responses={200: Reply("ReportCase", "修改后的案例")},
    errors=(409,),
)
def update_report_case(call: ApiCall) -> Response:
    case_id = case_of_report(call)
    service.save_report_case(db_session(), call.who, call.path["id"], case_id, _case_data(call.body),
                      upload_dir=upload_dir(), limits=limits())
    return case_response(call, case_id)


@operation(
    "DELETE", "/reports/{id}/cases/{case_id}", operation_id="delete_report_case", tag=TAG, roles=("district",),
    params=(REPORT_ID, CASE_ID), summary="删除典型案例",
    description="只能删除从未报送过的案例（连同其文件）；已报送过的返回 409。",
    responses={204: Reply(None, "已删除")}, errors=(409,),
)
def delete_report_case(call: ApiCall) -> Response:
    service.delete_report_case(db_session(), call.who, case_of_report(call), upload_dir=upload_dir())
    return Response(status=204)


def _case_section(session: Any, instance: WorkflowInstance, actor: Any) -> dict[str, Any] | None:
    report = service.report_for_case(session, actor, instance.id)
    return serializers.report_summary(report, instance, service.is_overdue(instance),
                                      service.can_urge(session, actor, instance))


registry.case_section(service.REPORT_KIND, service.REPORT_KIND, registry.ref("ReportSummary"), _case_section)
