"""Component schemas of filings, cases and tasks: the filing request and response (trainees, courses),
automatic checks, case summaries and lists, tasks, history, task completion and withdrawal, and the
``Case`` schema builder (``case_schema``, registered last by ``webapp.api``).
"""

from __future__ import annotations

from typing import Any

from webapp.api.registry import ROLES, ref, schema
from webapp.api.schemas.common import DATE, DATETIME, KIND, STATUS, choices, nullable, relaxed, text
from workflows.models.filing import APPRENTICESHIP_TYPES, COURSE_CATEGORIES, INSTITUTION_TYPES, LEVELS
from workflows.service import ATTACHMENT_KINDS, DECISIONS

# --- filings -----------------------------------------------------------------------------------------

TRAINEE_IN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "id_number"],
    "properties": {
        "name": text(50, "姓名", minLength=1),
        "id_number": text(18, "居民身份证号码（18位，末位可为 X）", minLength=1, pattern="^[0-9A-Za-z]+$"),
        "job_post": text(100, "工作岗位（须与培训职业工种一致）"),
        "contract_start": nullable({**DATE, "description": "劳动合同起始日期（不得晚于培训开始日期）"}),
        "contract_end": nullable({**DATE, "description": "劳动合同终止日期；无固定期限劳动合同为 null"}),
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
    "id_numbers": {"type": "string", "enum": ["masked", "full"],
                   "description": "学员身份证号码的显示方式：默认 `masked`（如 `4401**********0011`）；企业修改本企业"
                                  "草稿或被退回的备案时为 `full`；区、市审核人员以 `?reveal=id_numbers` 查看时为 `full`"
                                  "（每次查看记入安全审计日志）。系统管理员只能看到脱敏后的姓名和号码。"},
})
_filing_out["properties"]["trainees"]["items"]["properties"]["id_number"] = {
    "type": "string",
    "description": "居民身份证号码：默认脱敏（前4位和后4位，如 `4401**********0011`），见 `id_numbers`"}
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
        "assignee": {"type": ["object", "null"], "required": ["username", "name"],
                     "properties": {"username": {"type": "string"}, "name": {"type": "string"}},
                     "description": "认领或转办后的办理人；null 表示尚未认领（本组人员均可办理）。待办列表中给出"},
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

TASK_LIST = schema("TaskList", {
    "type": "object",
    "required": ["items", "page", "per_page", "total"],
    "properties": {"items": {"type": "array", "items": ref("Task")}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}, "total": {"type": "integer", "description": "符合条件的任务总数"}},
})

NEXT_TASK = schema("NextTask", {
    "allOf": [ref("Task")],
    "type": "object",
    "required": ["mine"],
    "properties": {"mine": {"type": "boolean", "description": "调用者本人可以办理"}},
})

TASK_TRANSFER = schema("TaskTransfer", {
    "type": "object",
    "additionalProperties": False,
    "required": ["to", "comment"],
    "properties": {
        "to": {"type": "string", "minLength": 1, "maxLength": 64, "description": "转办给同组人员的用户名"},
        "comment": {"type": "string", "minLength": 1, "maxLength": 500, "description": "转办说明"},
    },
})

TASK_BATCH = schema("TaskBatch", {
    "type": "object",
    "additionalProperties": False,
    "required": ["task_ids", "decision"],
    "properties": {
        "task_ids": {"type": "array", "minItems": 1, "maxItems": 100,
                     "items": {"type": "string", "maxLength": 36}, "description": "要办理的任务编号"},
        "decision": {"type": "string", "maxLength": 20, "description": "同一结论（如 approve、record）"},
        "comment": {"type": "string", "maxLength": 2000, "description": "同一意见"},
    },
})

TASK_BATCH_RESULT = schema("TaskBatchResult", {
    "type": "object",
    "required": ["results"],
    "properties": {"results": {"type": "array", "items": {
        "type": "object", "required": ["task_id", "ok", "error"],
        "properties": {"task_id": {"type": "string"}, "ok": {"type": "boolean"},
                       "error": {"type": ["string", "null"], "description": "未办理的原因；成功为 null"}},
    }}},
})

TASK_ASSIGNMENT = schema("TaskAssignment", {
    "type": "object",
    "required": ["id", "case_id", "assignee"],
    "properties": {
        "id": {"type": "string"}, "case_id": {"type": "integer"},
        "assignee": {"type": ["object", "null"], "required": ["username", "name"],
                     "properties": {"username": {"type": "string"}, "name": {"type": "string"}}},
    },
})

TASK_OUTCOME = schema("TaskOutcome", {
    "type": "object",
    "required": ["case_id", "status", "status_label", "next_tasks"],
    "properties": {
        "case_id": {"type": "integer", "description": "案件编号（完整案件：GET /cases/{id}）"},
        "status": {"type": "string", "description": STATUS["description"]},
        "status_label": {"type": "string"},
        "next_tasks": {"type": "array", "items": ref("NextTask"), "description": "办理后案件的就绪任务"},
    },
})

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



# Supporting documents (issue 15)
_ATTACHMENT_KIND = {"type": "string", "enum": list(ATTACHMENT_KINDS),
                    "description": "材料类别：" + choices(ATTACHMENT_KINDS)}
FILING_ATTACHMENT = schema("FilingAttachment", {
    "type": "object", "description": "备案的证明材料",
    "required": ["id", "filing_id", "kind", "kind_label", "note", "format", "mime", "original_name", "size_bytes",
                 "url", "thumbnail_url", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "filing_id": {"type": "integer"},
        "kind": _ATTACHMENT_KIND,
        "kind_label": {"type": "string"},
        "note": {"type": "string", "description": "说明（如“张伟的劳动合同”）"},
        "format": {"type": "string", "enum": ["jpeg", "png", "pdf", "docx"]},
        "mime": {"type": "string"},
        "original_name": {"type": "string"},
        "size_bytes": {"type": "integer"},
        "url": {"type": "string", "description": "页面上的查看地址（需登录，范围与备案相同）"},
        "thumbnail_url": {"type": ["string", "null"], "description": "图片的缩略图地址"},
        "created_at": DATETIME,
    },
})
FILING_ATTACHMENT_LIST = schema("FilingAttachmentList", {
    "type": "object", "required": ["items", "required_kinds"],
    "properties": {"items": {"type": "array", "items": ref("FilingAttachment")},
                   "required_kinds": {"type": "array", "items": {"type": "string", "enum": list(ATTACHMENT_KINDS)},
                                      "description": "按当前政策参数，提交时必须具备的材料类别"}},
})
FILING_ATTACHMENT_INPUT = schema("FilingAttachmentInput", {
    "type": "object",
    "description": "multipart/form-data：一个文件（字段 file）及其类别（字段 kind）。类型按文件内容判断"
                   "（PDF、JPEG/PNG、DOCX），与扩展名或声明类型不符的文件被拒绝。",
    "additionalProperties": False,
    "required": ["kind"],
    "properties": {
        "kind": _ATTACHMENT_KIND,
        "note": {"type": "string", "maxLength": 200, "description": "说明（选填）"},
        "file": {"type": "string", "format": "binary"},
    },
})
