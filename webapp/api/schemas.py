"""Component schemas shared by the API's modules (JSON Schema 2020-12, as OpenAPI 3.1 uses them).

Request schemas are strict (``additionalProperties: false``, lengths that fit the database columns,
enums); the same dicts validate requests and are published in the OpenAPI document. Response
schemas describe what the serializers in ``webapp.api.serializers`` produce.
"""

from __future__ import annotations

import copy
from typing import Any

from webapp.api.registry import ERROR_CODES, ROLES, ref, schema
from workflows.models import DISTRICTS
from workflows.models.filing import APPRENTICESHIP_TYPES, COURSE_CATEGORIES, INSTITUTION_TYPES, LEVELS
from workflows.service import DECISIONS, KIND_LABELS, PERIODIC_STATUS_LABELS, STATUS_LABELS


def text(max_length: int, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "description": description, **extra}


def nullable(definition: dict[str, Any]) -> dict[str, Any]:
    out = dict(definition)
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [definition, {"type": "null"}]}


def choices(labels: dict[Any, str]) -> str:
    return "；".join(f"`{k}` {v}" for k, v in labels.items())


DATE = {"type": "string", "format": "date", "description": "日期（YYYY-MM-DD）"}
DATETIME = {"type": "string", "format": "date-time", "description": "时间（ISO 8601，UTC）"}
_RELAX = ("maxLength", "minLength", "pattern", "maxItems", "minItems")


def relaxed(definition: dict[str, Any]) -> dict[str, Any]:
    """A response version of a request schema: same shape, every property present, no input limits
    (records written through the screens are described too)."""
    out = copy.deepcopy(definition)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in _RELAX:
                node.pop(key, None)
            if node.get("type") == "object" and "properties" in node:
                node["required"] = list(node["properties"])
                node.pop("additionalProperties", None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out)
    return out


# --- errors --------------------------------------------------------------------------------------------

ERROR = schema("Error", {
    "type": "object",
    "description": "所有错误的统一格式。",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "enum": [*ERROR_CODES.values(), "error", "internal_error"],
                     "description": "稳定的错误代码"},
            "message": {"type": "string", "description": "中文说明，可直接展示给用户"},
            "fields": {"type": "object", "description": "字段路径 → 该字段的错误（如 `trainees[0].id_number`）",
                       "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    }},
})

# --- filings -----------------------------------------------------------------------------------------

TRAINEE_IN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "id_number"],
    "properties": {
        "name": text(50, "姓名", minLength=1),
        "id_number": text(18, "居民身份证号码（18位，末位可为 X）", minLength=1, pattern="^[0-9A-Za-z]+$"),
        "job_post": text(100, "工作岗位（须与培训职业工种一致）"),
        "contract_start": nullable({**DATE, "description": "劳动合同起始日期"}),
        "school": text(100, "毕业院校（技培生）或就读院校（学生学徒）"),
        "graduation_year": nullable({"type": "integer", "minimum": 1950, "maximum": 2100,
                                     "description": "毕业年份（技培生）"}),
        "recruited_on": nullable({**DATE, "description": "招用日期（技培生）"}),
        "major": text(100, "所学专业（学生学徒）"),
        "expected_graduation": nullable({**DATE, "description": "预计毕业日期（学生学徒）"}),
    },
}

COURSE_IN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["category", "name"],
    "properties": {
        "category": {"type": "string", "enum": list(COURSE_CATEGORIES),
                     "description": "课程类别：" + choices(COURSE_CATEGORIES)},
        "name": text(100, "课程名称", minLength=1),
        "hours": {"type": "integer", "minimum": 0, "maximum": 5000, "description": "学时"},
        "textbook_isbn": text(20, "教材 ISBN（全国职业培训规划教材目录，见 GET /textbooks）"),
        "off_catalogue_reason": text(2000, "使用目录外教材的理由（非必修课使用目录外教材时填写）"),
    },
}

FILING_IN = {
    "type": "object",
    "description": "培训备案的内容（与页面表单相同的字段）。PUT 时整体替换。",
    "additionalProperties": False,
    "required": ["apprenticeship_type", "occupation_code", "level"],
    "properties": {
        "apprenticeship_type": {"type": "string", "enum": list(APPRENTICESHIP_TYPES),
                                "description": "学徒类型：" + choices(APPRENTICESHIP_TYPES)},
        "occupation_code": text(20, "职业（工种）代码，取自职业目录（GET /occupations），如 6-18-01-01",
                                minLength=1),
        "level": {"type": "integer", "enum": list(LEVELS), "description": "技能等级：" + choices(LEVELS)},
        "institution": {
            "type": "object", "additionalProperties": False, "description": "培训机构",
            "properties": {
                "name": text(200, "机构名称"),
                "type": {"type": "string", "enum": list(INSTITUTION_TYPES),
                         "description": "机构类型：" + choices(INSTITUTION_TYPES)},
            },
        },
        "period": {
            "type": "object", "additionalProperties": False, "description": "培训期限（一般1至2年，最长3年）",
            "properties": {"start": nullable({**DATE, "description": "开始日期"}),
                           "end": nullable({**DATE, "description": "结束日期"})},
        },
        "period_reason": text(2000, "培训期限超过2年的理由"),
        "tutors": {
            "type": "object", "additionalProperties": False, "description": "双导师",
            "properties": {"enterprise": text(100, "企业导师"), "institution": text(100, "院校导师")},
        },
        "trainees": {"type": "array", "maxItems": 500, "items": TRAINEE_IN, "description": "学员"},
        "courses": {"type": "array", "maxItems": 50, "items": COURSE_IN, "description": "课程"},
        "career_plan": text(5000, "职业发展规划（技培生必填）"),
        "training_goals": text(5000, "培养目标（学生学徒必填）"),
        "retention_measures": text(5000, "留用及晋升措施（学生学徒必填）"),
    },
}

FILING_INPUT = schema("FilingInput", FILING_IN)

_filing_out = relaxed(FILING_IN)
_filing_out.pop("description", None)
_filing_out["properties"].update({
    "id": {"type": "integer", "description": "备案编号（PUT/submit/withdraw 路径中的 id）"},
    "occupation_name": {"type": "string", "description": "职业（工种）名称"},
    "trainee_count": {"type": "integer"},
    "subsidy_fen": {"type": "integer", "description": "按政策标准测算的补贴金额（分）"},
    "plan_year": nullable({"type": "integer", "description": "计入的计划年度"}),
    "submitted_at": nullable(DATETIME),
    "created_at": DATETIME,
    "updated_at": DATETIME,
})
_filing_out["required"] = list(_filing_out["properties"])
FILING = schema("Filing", _filing_out)

CHECK = schema("Check", {
    "type": "object",
    "required": ["rule", "severity", "result", "message", "field", "details"],
    "properties": {
        "rule": {"type": "string", "description": "规则代码，如 id_number、job_post_match"},
        "severity": {"type": "string", "enum": ["hard", "soft"], "description": "hard 硬性（阻止提交）；soft 提示"},
        "result": {"type": "boolean", "description": "true 通过；false 未通过（或需关注）"},
        "message": {"type": "string"},
        "field": {"type": ["string", "null"], "description": "相关字段路径"},
        "details": {"type": "object", "description": "判断依据的数值"},
    },
})

# --- cases, tasks --------------------------------------------------------------------------------------

STATUS = {"type": "string", "enum": list(STATUS_LABELS),
          "description": "稳定状态代码：" + choices(STATUS_LABELS)}
KIND = {"type": "string", "enum": list(KIND_LABELS), "description": "案件类型：" + choices(KIND_LABELS)}
DISTRICT = {"type": "string", "enum": list(DISTRICTS), "description": "区划代码：" + choices(DISTRICTS)}

ENTERPRISE = schema("Enterprise", {
    "type": "object",
    "required": ["id", "name", "credit_code"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                   "credit_code": {"type": "string", "description": "统一社会信用代码"}},
})

DECISION = schema("Decision", {
    "type": "object",
    "required": ["code", "label", "comment_required"],
    "properties": {"code": {"type": "string"}, "label": {"type": "string"},
                   "comment_required": {"type": "boolean"}},
})

TASK = schema("Task", {
    "type": "object",
    "required": ["id", "case_id", "name", "title", "role", "kind", "form_key", "created_at", "due_at",
                 "overdue", "decisions"],
    "properties": {
        "id": {"type": "string", "description": "任务编号（POST /tasks/{id}/complete）"},
        "case_id": {"type": "integer"},
        "name": {"type": "string", "description": "流程图中的任务代码"},
        "title": {"type": "string", "description": "任务名称"},
        "role": {"type": "string", "enum": list(ROLES)},
        "kind": KIND,
        "form_key": {"type": "string"},
        "created_at": DATETIME,
        "due_at": nullable(DATETIME),
        "overdue": {"type": "boolean"},
        "decisions": {"type": "array", "items": ref("Decision"),
                      "description": "可选的处理结论；为空表示该任务通过其他接口办理（如企业提交备案）"},
    },
})

HISTORY_EVENT = schema("HistoryEvent", {
    "type": "object",
    "required": ["at", "actor", "action", "task_name", "comment", "status_before", "status_after"],
    "properties": {
        "at": DATETIME, "actor": {"type": "string"}, "action": {"type": "string"},
        "task_name": {"type": "string"}, "comment": {"type": "string"},
        "status_before": {"type": "string"}, "status_after": {"type": "string"},
    },
})

_CASE_COMMON = {
    "id": {"type": "integer", "description": "案件编号"},
    "kind": KIND,
    "business_key": {"type": "string"},
    "title": {"type": "string"},
    "status": {"type": "string", "description": STATUS["description"]},
    "status_label": {"type": "string"},
    "district_code": {"type": ["string", "null"]},
    "enterprise_id": {"type": ["integer", "null"]},
    "due_at": nullable(DATETIME),
    "created_at": DATETIME,
    "updated_at": DATETIME,
}

CASE_SUMMARY = schema("CaseSummary", {"type": "object", "required": list(_CASE_COMMON),
                                      "properties": _CASE_COMMON})

CASE_LIST = schema("CaseList", {
    "type": "object",
    "required": ["items", "page", "per_page", "total"],
    "properties": {"items": {"type": "array", "items": ref("CaseSummary")}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}, "total": {"type": "integer"}},
})

TASK_LIST = schema("TaskList", {"type": "object", "required": ["items"],
                                "properties": {"items": {"type": "array", "items": ref("Task")}}})

TASK_COMPLETION = schema("TaskCompletion", {
    "type": "object",
    "additionalProperties": False,
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string",
                     "enum": list(dict.fromkeys(code for options in DECISIONS.values() for code in options)),
                     "description": "区级审核：approve 通过、return 退回修改、reject 不予通过；"
                                    "市级备案：record 予以备案、send_back 退回区局；"
                                    "季度计划市级备案：record 予以备案、return 退回修改；"
                                    "半年报告：accept 接收、more 要求补充。"
                                    "任务可选的结论见任务的 decisions"},
        "comment": text(2000, "意见（除 approve、record 外必填）"),
        "confirm_mismatches": {"type": "boolean",
                               "description": "通过时确认岗位与职业不一致的学员（有不一致时必须为 true）"},
    },
})

WITHDRAWAL = schema("Withdrawal", {
    "type": "object",
    "additionalProperties": False,
    "properties": {"comment": text(2000, "撤回说明")},
})

# --- catalogues ----------------------------------------------------------------------------------------

OCCUPATION = schema("Occupation", {
    "type": "object",
    "required": ["code", "name", "aliases", "job_posts", "levels"],
    "properties": {
        "code": {"type": "string"}, "name": {"type": "string"},
        "aliases": {"type": "array", "items": {"type": "string"}},
        "job_posts": {"type": "array", "items": {"type": "string"}, "description": "常见岗位名称"},
        "levels": {"type": "array", "items": {"type": "integer"}, "description": "可培训的等级"},
    },
})
TEXTBOOK = schema("Textbook", {
    "type": "object",
    "required": ["isbn", "title", "publisher", "category", "occupation_codes"],
    "properties": {
        "isbn": {"type": "string"}, "title": {"type": "string"}, "publisher": {"type": "string"},
        "category": {"type": "string", "enum": list(COURSE_CATEGORIES)},
        "occupation_codes": {"type": "array", "items": {"type": "string"}},
    },
})
OCCUPATION_LIST = schema("OccupationList", {"type": "object", "required": ["items"],
                                            "properties": {"items": {"type": "array", "items": ref("Occupation")}}})
TEXTBOOK_LIST = schema("TextbookList", {"type": "object", "required": ["items"],
                                        "properties": {"items": {"type": "array", "items": ref("Textbook")}}})

# --- auth ----------------------------------------------------------------------------------------------

TOKEN_REQUEST = schema("TokenRequest", {
    "type": "object",
    "additionalProperties": False,
    "required": ["username", "password"],
    "properties": {
        "username": text(64, "用户名", minLength=1),
        "password": text(200, "密码", minLength=1),
        "name": text(100, "令牌用途说明（可选），如“人事系统对接”"),
    },
})

USER = schema("User", {
    "type": "object",
    "required": ["id", "username", "display_name", "role", "role_label", "district_code", "enterprise_id"],
    "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "display_name": {"type": "string"},
        "role": {"type": "string", "enum": list(ROLES)}, "role_label": {"type": "string"},
        "district_code": {"type": ["string", "null"]}, "enterprise_id": {"type": ["integer", "null"]},
    },
})

TOKEN = schema("Token", {
    "type": "object",
    "required": ["token", "token_type", "role", "expires_at", "user"],
    "properties": {
        "token": {"type": "string", "description": "访问令牌，放在 `Authorization: Bearer <token>` 中；只返回这一次"},
        "token_type": {"type": "string", "const": "Bearer"},
        "role": {"type": "string", "enum": list(ROLES)},
        "expires_at": DATETIME,
        "user": ref("User"),
    },
})

ME = schema("Me", {
    "type": "object",
    "required": ["user", "token"],
    "properties": {
        "user": ref("User"),
        "token": {"type": "object", "required": ["name", "created_at", "expires_at"],
                  "properties": {"name": {"type": "string"}, "created_at": DATETIME, "expires_at": DATETIME}},
    },
})

REVOCATION = schema("Revocation", {
    "type": "object",
    "required": ["user_id", "revoked"],
    "properties": {"user_id": {"type": "integer"}, "revoked": {"type": "integer", "description": "撤销的令牌数"}},
})


def case_schema(sections: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The Case schema, with the optional sections other features registered (plans, reports)."""
    properties = {
        **_CASE_COMMON,
        "kind_label": {"type": "string"},
        "district_name": {"type": ["string", "null"]},
        "completed_at": nullable(DATETIME),
        "enterprise": {"anyOf": [ref("Enterprise"), {"type": "null"}]},
        "filing": {"anyOf": [ref("Filing"), {"type": "null"}], "description": "培训备案的内容（其他类型为 null）"},
        "checks": {"type": "array", "items": ref("Check"), "description": "自动校验结果"},
        "tasks": {"type": "array", "items": ref("Task"), "description": "调用者可以办理的待办任务"},
        "history": {"type": "array", "items": ref("HistoryEvent"), "description": "办理记录"},
    }
    required = [*properties]
    properties.update(sections)
    return {"type": "object", "required": required, "properties": properties}


# --- shared by plans, reports and notifications ---------------------------------------------------------

MAX_ID = 2**31 - 1
ROW_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
BINARY = {"type": "string", "format": "binary"}


def page_of(item: str, description: str, **extra: Any) -> dict[str, Any]:
    """A paginated list of ``item`` (component name)."""
    properties = {"items": {"type": "array", "items": ref(item)}, "page": {"type": "integer"},
                  "per_page": {"type": "integer"}, "total": {"type": "integer", "description": "符合条件的总数"},
                  **extra}
    return {"type": "object", "description": description, "required": list(properties), "properties": properties}


def status_of(kind: str) -> dict[str, Any]:
    labels = PERIODIC_STATUS_LABELS[kind]
    return {"type": "string", "enum": list(labels), "description": "状态代码：" + choices(labels)}


PLAN_STATUS = status_of("quarterly_plan")
REPORT_STATUS = status_of("semiannual_report")

URGE = schema("UrgeInput", {
    "type": "object",
    "additionalProperties": False,
    "required": ["message"],
    "properties": {"message": text(500, "催办内容（区人社局会收到站内信）", minLength=1)},
})

_PERIODIC_COMMON = {
    "case_id": {"type": "integer", "description": "案件编号（GET /cases/{id}、待办任务的 case_id）"},
    "business_key": {"type": "string"},
    "title": {"type": "string"},
    "district_code": DISTRICT,
    "district_name": {"type": "string"},
    "year": {"type": "integer"},
    "overdue": {"type": "boolean", "description": "已逾期：仍在区局办理且已过期限"},
    "due_at": nullable(DATETIME),
    "submitted_at": nullable({**DATETIME, "description": "最近一次提交时间"}),
    "can_urge": {"type": "boolean", "description": "调用者现在可以催办（POST .../urge）"},
    "created_at": DATETIME,
    "updated_at": DATETIME,
    "completed_at": nullable(DATETIME),
}


def _object(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "description": description, "required": list(properties), "properties": properties}


# --- quarterly plans -------------------------------------------------------------------------------------

PLAN_ROW_EDIT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "included"],
    "properties": {
        "id": {**ROW_ID, "description": "计划行编号（计划详情 rows[].id）"},
        "included": {"type": "boolean", "description": "是否纳入本季度计划"},
        "reason": text(1000, "不纳入的原因（不纳入时提交前必须填写）"),
    },
}

PLAN_INPUT = schema("PlanInput", {
    "type": "object",
    "description": "区人社局编制季度计划：备注、书面说明整体替换（省略即清空）；rows 只改列出的行，"
                   "未列出的行保持不变。计划行由备案数据生成，不能新增。",
    "additionalProperties": False,
    "properties": {
        "notes": text(4000, "备注（导出时写在合计行的备注中）"),
        "justification": text(4000, "书面说明：本计划使全年中级工及以上占比低于规定比例（70%）时必须填写"),
        "rows": {"type": "array", "maxItems": 2000, "items": PLAN_ROW_EDIT, "description": "纳入/不纳入的选择"},
    },
})

PLAN_DECISION = schema("PlanDecisionInput", {
    "type": "object",
    "additionalProperties": False,
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": list(DECISIONS["plan_record"]),
                     "description": "`record` 予以备案；`return` 退回修改（须填写意见）"},
        "comment": text(2000, "意见（退回修改时必填）"),
    },
})

PLAN_OPEN = schema("PlanOpenInput", {
    "type": "object",
    "additionalProperties": False,
    "required": ["district_code", "year", "quarter"],
    "properties": {
        "district_code": DISTRICT,
        "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "description": "年度"},
        "quarter": {"type": "integer", "minimum": 1, "maximum": 4, "description": "季度（1-4）"},
    },
})

PLAN_ROW = schema("PlanRow", _object("计划行：一件备案（受理中或已通过）在本季度的培训安排", {
    "id": {"type": "integer", "description": "计划行编号（PUT 时 rows[].id）"},
    "seq": {"type": "integer"},
    "filing_id": {"type": ["integer", "null"], "description": "来源备案编号"},
    "enterprise_id": {"type": ["integer", "null"]},
    "enterprise_name": {"type": "string"},
    "credit_code": {"type": "string"},
    "occupation_code": {"type": "string"},
    "occupation_name": {"type": "string"},
    "project": {"type": "string", "description": "项目（学徒类型）"},
    "level": {"type": "integer"},
    "level_label": {"type": "string"},
    "trainees": {"type": "integer", "description": "培训人数"},
    "fund_fen": {"type": "integer", "description": "资金使用计划（分）"},
    "filing_status": {"type": "string", "description": "来源备案的状态代码"},
    "included": {"type": "boolean"},
    "reason": {"type": "string"},
}))

_TOP = {"type": "array", "items": _object("", {
    "name": {"type": "string"}, "trainees": {"type": "integer"},
    "share": {"type": "number", "description": "占全区学员比例（0-1）"},
    "over": {"type": "boolean", "description": "超过集中度阈值"}})}

PLAN_FIGURES = schema("PlanFigures", _object(
    "本计划执行后本区全年的指标：R3 中级工及以上占比、R4 企业/职业集中度、R5 资金预算（金额单位：分）", {
        "year": {"type": "integer"},
        "trainees_total": {"type": "integer", "description": "全年学员数（不含本计划不纳入的备案）"},
        "intermediate_up": {"type": "integer", "description": "其中中级工及以上"},
        "intermediate_share": {"type": ["number", "null"], "description": "中级工及以上占比（0-1；无学员时为 null）"},
        "intermediate_min": {"type": "number", "description": "规定的最低占比"},
        "share_below_min": {"type": "boolean"},
        "enterprise_threshold": {"type": "number"},
        "occupation_threshold": {"type": "number"},
        "top_enterprises": _TOP,
        "top_occupations": _TOP,
        "concentration_flags": {"type": "integer", "description": "超过集中度阈值的企业和职业数"},
        "budget_fen": {"type": "integer"},
        "planned_headcount": {"type": "integer"},
        "committed_fen": {"type": "integer", "description": "已占用（待市备案、已备案且不在本计划中）"},
        "planned_fen": {"type": "integer", "description": "本季度计划使用"},
        "remaining_fen": {"type": "integer"},
        "over_budget": {"type": "boolean"},
        "quarter_rows": {"type": "integer"},
        "quarter_trainees": {"type": "integer"},
        "quarter_fund_fen": {"type": "integer"},
        "excluded_rows": {"type": "integer"},
    }))

_PLAN_SUMMARY = {
    "id": {"type": "integer", "description": "计划编号（/plans/{id}）"},
    **_PERIODIC_COMMON,
    "quarter": {"type": "integer"},
    "quarter_key": {"type": "string", "description": "如 2027Q1"},
    "status": PLAN_STATUS,
    "status_label": {"type": "string"},
    "share_flagged": {"type": "boolean", "description": "提交时全年中级工及以上占比低于规定比例，已提示市中心"},
}

PLAN_SUMMARY = schema("PlanSummary", _object("季度计划（列表项）", _PLAN_SUMMARY))
PLAN_LIST = schema("PlanList", page_of("PlanSummary", "一页季度计划"))

PLAN = schema("Plan", _object("季度计划详情", {
    **_PLAN_SUMMARY,
    "notes": {"type": "string"},
    "justification": {"type": "string"},
    "rows": {"type": "array", "items": ref("PlanRow")},
    "figures": ref("PlanFigures"),
    "flags": _object("提示", {
        "share_below_min": {"type": "boolean", "description": "R3：全年中级工及以上占比低于规定比例"},
        "concentration": {"type": "boolean", "description": "R4：有企业或职业超过集中度阈值"},
        "over_budget": {"type": "boolean", "description": "R5：超出年度预算"},
        "flagged_to_city": {"type": "boolean", "description": "已在提交时提示市中心（低于70%）"},
    }),
    "problems": {"type": "array", "description": "最近一次提交未通过的校验（字段路径与 422 相同）",
                 "items": _object("", {"field": {"type": "string"}, "message": {"type": "string"}})},
    "tasks": {"type": "array", "items": ref("Task"), "description": "调用者可以办理的待办任务"},
    "history": {"type": "array", "items": ref("HistoryEvent")},
}))

# --- semiannual reports ----------------------------------------------------------------------------------

REPORT_INPUT = schema("ReportInput", {
    "type": "object",
    "additionalProperties": False,
    "required": ["summary"],
    "properties": {"summary": text(20000, "经验总结（段落之间空一行）")},
})

REPORT_CASE_INPUT = schema("ReportCaseInput", {
    "type": "object",
    "description": "典型案例的文字内容（PUT 时整体替换）。报送前须填全标题、企业、职业、学徒类型和案例内容；"
                   "图片、视频、文档通过 multipart 上传接口添加。",
    "additionalProperties": False,
    "required": ["title"],
    "properties": {
        "title": text(200, "案例标题", minLength=1),
        "enterprise_name": text(200, "企业名称"),
        "occupation_code": text(20, "职业（工种）代码，取自职业目录（GET /occupations）"),
        "apprenticeship_type": {"type": "string", "enum": list(APPRENTICESHIP_TYPES),
                                "description": "学徒类型：" + choices(APPRENTICESHIP_TYPES)},
        "narrative": text(20000, "案例内容：培养过程、做法和成效"),
    },
})

REPORT_CASE_FILES = schema("ReportCaseFiles", {
    "type": "object",
    "description": "multipart/form-data：每个文件一个部分，可重复。类型按文件内容判断，与扩展名、声明的类型或"
                   "字段不符的文件被拒绝；任何一个文件未通过检查时整个请求不保存任何内容。",
    "additionalProperties": False,
    "properties": {
        "pictures": {"type": "array", "maxItems": 60, "items": BINARY,
                     "description": "图片：JPEG、PNG 或 WebP（上传后去除拍摄位置等信息）"},
        "videos": {"type": "array", "maxItems": 60, "items": BINARY, "description": "视频：MP4"},
        "documents": {"type": "array", "maxItems": 60, "items": BINARY, "description": "文档：PDF 或 Word（.docx）"},
    },
})

PUBLICITY_INPUT = schema("PublicityInput", {
    "type": "object",
    "description": "multipart/form-data：宣传报道，须有报道链接或报道扫描件（图片或 PDF）。",
    "additionalProperties": False,
    "required": ["outlet", "published_on", "title"],
    "properties": {
        "outlet": text(200, "媒体/平台", minLength=1),
        "published_on": {**DATE, "description": "发布日期（不晚于今天）"},
        "title": text(300, "报道标题", minLength=1),
        "link": text(1000, "报道链接（http:// 或 https://）"),
        "scan": {**BINARY, "description": "报道扫描件：JPEG、PNG、WebP 或 PDF"},
    },
})

REPORT_REVIEW = schema("ReportReviewInput", {
    "type": "object",
    "additionalProperties": False,
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": list(DECISIONS["report_accept"]),
                     "description": "`accept` 接收；`more` 要求补充（须填写意见）"},
        "comment": text(2000, "意见（要求补充时必填，写明需要补充的内容）"),
    },
})

REPORT_OPEN = schema("ReportOpenInput", {
    "type": "object",
    "additionalProperties": False,
    "required": ["district_code", "year", "half"],
    "properties": {
        "district_code": DISTRICT,
        "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "description": "年度"},
        "half": {"type": "integer", "enum": [1, 2], "description": "1 上半年；2 下半年"},
    },
})

EXCELLENT_INPUT = schema("ExcellentInput", {
    "type": "object",
    "additionalProperties": False,
    "required": ["excellent"],
    "properties": {"excellent": {"type": "boolean", "description": "true 标为优秀案例；false 取消"}},
})

ATTACHMENT = schema("Attachment", _object("上传的文件", {
    "id": {"type": "integer"},
    "kind": {"type": "string", "enum": ["picture", "video", "document"],
             "description": "picture 图片；video 视频；document 文档"},
    "kind_label": {"type": "string"},
    "format": {"type": "string", "description": "jpeg、png、webp、mp4、pdf 或 docx"},
    "mime": {"type": "string"},
    "original_name": {"type": "string"},
    "size_bytes": {"type": "integer"},
    "width": {"type": ["integer", "null"]},
    "height": {"type": ["integer", "null"]},
    "locked": {"type": "boolean", "description": "已随报告报送，不能删除"},
    "url": {"type": "string", "description": "下载地址（需令牌）"},
    "thumbnail_url": {"type": ["string", "null"], "description": "缩略图地址（图片才有）"},
    "created_at": DATETIME,
}))

_REPORT_CASE = {
    "id": {"type": "integer", "description": "案例编号"},
    "report_id": {"type": "integer"},
    "seq": {"type": "integer"},
    "title": {"type": "string"},
    "enterprise_name": {"type": "string"},
    "occupation_code": {"type": "string"},
    "occupation_name": {"type": "string"},
    "apprenticeship_type": {"type": "string"},
    "type_label": {"type": "string"},
    "narrative": {"type": "string"},
    "excellent": {"type": "boolean", "description": "优秀案例"},
    "locked": {"type": "boolean", "description": "已随报告报送，不能删除（仍可修改和补充文件）"},
    "attachments": {"type": "array", "items": ref("Attachment")},
    "created_at": DATETIME,
    "updated_at": DATETIME,
}
REPORT_CASE = schema("ReportCase", _object("典型案例", _REPORT_CASE))

PUBLICITY = schema("PublicityItem", _object("宣传报道", {
    "id": {"type": "integer"},
    "seq": {"type": "integer"},
    "outlet": {"type": "string"},
    "published_on": nullable(DATE),
    "title": {"type": "string"},
    "link": {"type": "string"},
    "locked": {"type": "boolean"},
    "scan": {"anyOf": [ref("Attachment"), {"type": "null"}]},
    "created_at": DATETIME,
}))

_REPORT_SUMMARY = {
    "id": {"type": "integer", "description": "报告编号（/reports/{id}）"},
    **_PERIODIC_COMMON,
    "half": {"type": "integer", "description": "1 上半年；2 下半年"},
    "period_key": {"type": "string", "description": "如 2027H1"},
    "period_label": {"type": "string"},
    "status": REPORT_STATUS,
    "status_label": {"type": "string"},
    "submissions": {"type": "integer", "description": "报送次数"},
}
REPORT_SUMMARY = schema("ReportSummary", _object("半年报告（列表项）", _REPORT_SUMMARY))
REPORT_LIST = schema("ReportList", page_of("ReportSummary", "一页半年报告"))

REPORT = schema("Report", _object("半年经验总结报告详情", {
    **_REPORT_SUMMARY,
    "summary": {"type": "string"},
    "cases": {"type": "array", "items": ref("ReportCase")},
    "publicity": {"type": "array", "items": ref("PublicityItem")},
    "can_edit": {"type": "boolean", "description": "调用者现在可以修改和报送"},
    "problems": {"type": "object", "description": "编写中时：报送前还需补充的内容（字段 → 提示）",
                 "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    "last_request": {"anyOf": [_object("", {"at": DATETIME, "actor": {"type": "string"},
                                            "comment": {"type": "string"}}), {"type": "null"}],
                     "description": "已退回时：市中心最近一次要求补充的意见"},
    "tasks": {"type": "array", "items": ref("Task"), "description": "调用者可以办理的待办任务"},
    "history": {"type": "array", "items": ref("HistoryEvent")},
}))

GALLERY_CASE = schema("GalleryCase", _object("案例库中的典型案例（已接收报告中的案例）", {
    **_REPORT_CASE,
    "district_code": DISTRICT,
    "district_name": {"type": "string"},
    "period_key": {"type": "string"},
    "period_label": {"type": "string"},
}))
GALLERY = schema("Gallery", page_of("GalleryCase", "一页典型案例，优秀案例在前"))

# --- notifications ---------------------------------------------------------------------------------------

NOTIFICATION = schema("Notification", _object("站内信", {
    "id": {"type": "integer"},
    "kind": {"type": "string", "description": "类型代码，如 opened、reminder、overdue、urge、returned"},
    "kind_label": {"type": "string"},
    "title": {"type": "string"},
    "body": {"type": "string"},
    "case_id": {"type": ["integer", "null"], "description": "相关案件（GET /cases/{id}）"},
    "case_kind": {"type": "string"},
    "web_path": {"type": ["string", "null"], "description": "在网页上打开的站内路径"},
    "read": {"type": "boolean"},
    "read_at": nullable(DATETIME),
    "created_at": DATETIME,
}))
NOTIFICATION_LIST = schema("NotificationList", page_of(
    "Notification", "一页站内信，最新的在前", unread={"type": "integer", "description": "未读总数"}))
UNREAD_COUNT = schema("UnreadCount", _object("未读数", {"unread": {"type": "integer"}}))
READ_ALL = schema("ReadAll", _object("全部标为已读的结果", {
    "marked": {"type": "integer", "description": "本次标为已读的条数"}, "unread": {"type": "integer"}}))
