"""Training projects after 备案 (培训项目与补贴) and the funds per district and year. Every rule is in
``workflows.projects``. Review decisions (预支审核, 变更审核, 结业考核审核, 补贴申领审核, 异议处理, 市级确认)
go through ``POST /tasks/{id}/complete`` with the decisions the task lists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response

from webapp.api.core import MAX_ID, ApiCall, fresh_session, operation
from webapp.api.errors import json_response
from webapp.api.registry import Param, schema, tag
from webapp.api.registry import Response as Reply
from webapp.api.schemas.common import DATE, DISTRICT
from webapp.extensions import db_session
from workflows import service
from workflows.dto import TraineeData

TAG = tag("培训项目与补贴", "备案完成后自动启动的培训项目：开班报告、预支、变更、结业考核、补贴申领、公示、拨付和退款；"
                      "以及各区各年度的资金情况。路径中的 id 为项目编号。")
PROJECT_ID = Param("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "项目编号", location="path",
                   required=True, example=1)
PAYMENT_KIND_TEXT = "advance 预支拨付；subsidy 补贴拨付；refund 确认退款到账"
FEN = {"type": "integer", "minimum": 0, "maximum": 10**12, "description": "金额（分）"}
VOUCHER = {"type": "string", "minLength": 1, "maxLength": 60, "description": "凭证号"}

schema("Project", {"type": "object", "description": "培训项目（身份证号已脱敏）",
                   "required": ["id", "case_id", "business_key", "status", "status_label", "filing_id",
                                "trainees", "money"],
                   "properties": {"id": {"type": "integer"}, "case_id": {"type": "integer"},
                                  "business_key": {"type": "string"}, "status": {"type": "string"},
                                  "status_label": {"type": "string"}, "filing_id": {"type": "integer"},
                                  "trainees": {"type": "array", "items": {"type": "object"}},
                                  "money": {"type": "array", "items": {"type": "object"}}}})
schema("ClassReportInput", {"type": "object", "additionalProperties": False,
                            "required": ["actual_start", "trainee_ids"],
                            "properties": {"actual_start": DATE,
                                           "trainee_ids": {"type": "array", "maxItems": 500, "items": {
                                               "type": "integer", "minimum": 1, "maximum": MAX_ID}}}})
schema("AdvanceInput", {"type": "object", "additionalProperties": False, "required": ["amount_fen"],
                        "properties": {"amount_fen": FEN}})
TRAINEE = {"type": "object", "additionalProperties": False, "required": ["name", "id_number"],
           "properties": {"name": {"type": "string", "maxLength": 50}, "id_number": {"type": "string", "maxLength": 18},
                          "job_post": {"type": "string", "maxLength": 100}, "contract_start": DATE,
                          "school": {"type": "string", "maxLength": 100},
                          "graduation_year": {"type": "integer", "minimum": 1950, "maximum": 2100},
                          "recruited_on": DATE, "major": {"type": "string", "maxLength": 100},
                          "expected_graduation": DATE}}
schema("ChangeInput", {"type": "object", "additionalProperties": False, "required": ["kind", "reason"],
                       "properties": {"kind": {"type": "string", "enum": list(service.CHANGE_KINDS)},
                                      "effective_on": DATE,
                                      "trainee_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                                      "replacement": TRAINEE, "new_end": DATE,
                                      "reason": {"type": "string", "maxLength": 1000}}})
schema("AssessmentInput", {"type": "object", "additionalProperties": False, "required": ["results"],
                           "properties": {"results": {"type": "array", "maxItems": 500, "items": {
                               "type": "object", "additionalProperties": False, "required": ["trainee_id", "outcome"],
                               "properties": {"trainee_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                                              "outcome": {"type": "string", "enum": list(service.OUTCOMES)},
                                              "certificate_no": {"type": "string", "maxLength": 60},
                                              "level_reached": {"type": "integer", "minimum": 1, "maximum": 5}}}}}})
schema("PaymentInput", {"type": "object", "additionalProperties": False,
                        "required": ["kind", "amount_fen", "paid_on", "voucher_no"],
                        "properties": {"kind": {"type": "string", "enum": ["advance", "subsidy", "refund"],
                                                "description": PAYMENT_KIND_TEXT},
                                       "amount_fen": FEN, "paid_on": DATE, "voucher_no": VOUCHER}})
schema("RefundInput", {"type": "object", "additionalProperties": False,
                       "required": ["amount_fen", "paid_on", "voucher_no"],
                       "properties": {"amount_fen": FEN, "paid_on": DATE, "voucher_no": VOUCHER}})
FUNDS_ROW = {"type": "object", "required": ["district_code", "district_name", "year", "budget_fen", "committed_fen",
                                            "advanced_fen", "paid_fen", "released_fen", "remaining_fen",
                                            "payment_risk"],
             "properties": {"district_code": {"type": "string"}, "district_name": {"type": "string"},
                            "year": {"type": "integer"}, "budget_fen": {"type": "integer"},
                            "committed_fen": {"type": "integer", "description": "已备案未拨付"},
                            "advanced_fen": {"type": "integer", "description": "已预支未结算（含在已拨付中）"},
                            "paid_fen": {"type": "integer", "description": "已拨付（含预支）"},
                            "released_fen": {"type": "integer", "description": "已释放"},
                            "remaining_fen": {"type": "integer", "description": "预算 − 已占用 − 已拨付"},
                            "payment_risk": {"type": "boolean", "description": "资金支付风险"}}}
schema("Funds", {"type": "object", "required": ["year", "items"],
                 "properties": {"year": {"type": "integer"}, "items": {"type": "array", "items": FUNDS_ROW}}})

ENTERPRISE = ("enterprise",)
CITY = ("city",)
STAFF = ("district", "city", "admin")


def _project(project_id: int, call: ApiCall, status: int = 200) -> Response:
    return json_response(service.project_view(fresh_session(), call.who, project_id).to_dict(), status)


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


@operation("GET", "/funds", operation_id="get_funds", tag=TAG, roles=STAFF, summary="资金情况（分区、分年度）",
           description="预算、已占用（已备案未拨付）、已预支、已拨付、已释放和剩余，单位为分，来自与各办理步骤同一事务更新的"
                       "累计数。区人社局只能查看本区；市中心可查看任一区或全部。",
           params=(Param("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "年度（默认今年）"),
                   Param("district", DISTRICT, "区划代码（默认全部）")),
           responses={200: Reply("Funds", "各区资金情况")})
def get_funds(call: ApiCall) -> Response:
    year = int(call.query.get("year") or service.current_year())
    params = service.policy_in_force(db_session())
    rows = service.fund_figures(db_session(), call.who, year, call.query.get("district"), params.fund_risk_share)
    return json_response({"year": year, "items": [r.to_dict() for r in rows]})


@operation("GET", "/projects/{id}", operation_id="get_project", tag=TAG, params=(PROJECT_ID,),
           summary="培训项目详情",
           description="学员（身份证号脱敏）、变更、拨付、异议、分年度资金和调用者可办理的任务。",
           responses={200: Reply("Project", "培训项目")})
def get_project(call: ApiCall) -> Response:
    return _project(call.path["id"], call)


@operation("POST", "/projects/{id}/class-report", operation_id="report_class_start", tag=TAG, roles=ENTERPRISE,
           params=(PROJECT_ID,), summary="开班报告", body="ClassReportInput",
           body_example={"actual_start": "2027-03-01", "trainee_ids": [1, 2, 3]},
           responses={200: Reply("Project", "培训项目")}, errors=(409,))
def report_class_start(call: ApiCall) -> Response:
    service.report_class_start(db_session(), call.who, call.path["id"], _date(call.body["actual_start"]),
                               list(call.body["trainee_ids"]))
    return _project(call.path["id"], call)


@operation("POST", "/projects/{id}/advance", operation_id="request_advance", tag=TAG, roles=ENTERPRISE,
           params=(PROJECT_ID,), summary="申请预支", body="AdvanceInput", body_example={"amount_fen": 600000},
           description="不超过开班学员补贴的政策比例（默认40%），开班后方可申请，每个项目一次。",
           responses={200: Reply("Project", "培训项目")}, errors=(409,))
def request_advance(call: ApiCall) -> Response:
    service.request_advance(db_session(), call.who, call.path["id"], int(call.body["amount_fen"]))
    return _project(call.path["id"], call)


@operation("POST", "/projects/{id}/changes", operation_id="request_change", tag=TAG, roles=ENTERPRISE,
           params=(PROJECT_ID,), summary="申报变更", body="ChangeInput",
           body_example={"kind": "leave", "effective_on": "2027-06-15", "trainee_id": 3, "reason": "本人离职"},
           description="学员退出（leave）、替换（replace，替换学员须通过与备案相同的校验）、期限变更（period）或终止（stop）；"
                       "由区人社局审核。", responses={200: Reply("Project", "培训项目")}, errors=(409,))
def request_change(call: ApiCall) -> Response:
    body = call.body
    replacement = None
    if body.get("replacement"):
        r = body["replacement"]
        replacement = TraineeData(
            name=r.get("name", ""), id_number=r.get("id_number", ""), job_post=r.get("job_post", ""),
            contract_start=_date(r.get("contract_start")), school=r.get("school", ""),
            graduation_year=r.get("graduation_year"), recruited_on=_date(r.get("recruited_on")),
            major=r.get("major", ""), expected_graduation=_date(r.get("expected_graduation")))
    service.request_change(db_session(), call.who, call.path["id"], service.ChangeRequest(
        kind=body["kind"], effective_on=_date(body.get("effective_on")), trainee_id=body.get("trainee_id"),
        replacement=replacement, new_end=_date(body.get("new_end")), reason=body.get("reason", "")))
    return _project(call.path["id"], call)


@operation("POST", "/projects/{id}/assessment", operation_id="submit_assessment", tag=TAG, roles=ENTERPRISE,
           params=(PROJECT_ID,), summary="提交结业考核", body="AssessmentInput",
           body_example={"results": [{"trainee_id": 1, "outcome": "passed", "certificate_no": "S2028001",
                                      "level_reached": 4}]},
           responses={200: Reply("Project", "培训项目")}, errors=(409,))
def submit_assessment(call: ApiCall) -> Response:
    results = [service.AssessmentResult(int(r["trainee_id"]), r["outcome"], r.get("certificate_no", ""),
                                        r.get("level_reached")) for r in call.body["results"]]
    service.submit_assessment(db_session(), call.who, call.path["id"], results)
    return _project(call.path["id"], call)


@operation("POST", "/projects/{id}/claim", operation_id="submit_claim", tag=TAG, roles=ENTERPRISE,
           params=(PROJECT_ID,), summary="补贴申领",
           description="金额由系统计算：考核合格人数 × 补贴标准 × 实际培训月数 ÷ 12，减去已预支金额；"
                       "附花名册和证书编号。",
           responses={200: Reply("Project", "培训项目")}, errors=(409,))
def submit_claim(call: ApiCall) -> Response:
    service.submit_claim(db_session(), call.who, call.path["id"])
    return _project(call.path["id"], call)


@operation("POST", "/projects/{id}/payments", operation_id="record_payment", tag=TAG, roles=CITY,
           params=(PROJECT_ID,), summary="登记拨付或退款到账", body="PaymentInput",
           body_example={"kind": "advance", "amount_fen": 600000, "paid_on": "2027-03-20", "voucher_no": "YZ-001"},
           responses={200: Reply("Project", "培训项目")}, errors=(409,))
def record_payment(call: ApiCall) -> Response:
    body = call.body
    record = {"advance": service.record_advance_payment, "subsidy": service.record_claim_payment,
              "refund": service.confirm_refund}[body["kind"]]
    record(db_session(), call.who, call.path["id"], int(body["amount_fen"]), _date(body["paid_on"]),
           body["voucher_no"])
    return _project(call.path["id"], call)


@operation("POST", "/projects/{id}/refund", operation_id="report_refund", tag=TAG, roles=ENTERPRISE,
           params=(PROJECT_ID,), summary="报告退回预支款", body="RefundInput",
           body_example={"amount_fen": 100000, "paid_on": "2028-05-01", "voucher_no": "TK-001"},
           responses={200: Reply("Project", "培训项目")}, errors=(409,))
def report_refund(call: ApiCall) -> Response:
    body = call.body
    service.report_refund(db_session(), call.who, call.path["id"], int(body["amount_fen"]), _date(body["paid_on"]),
                          body["voucher_no"])
    return _project(call.path["id"], call)
