"""Component schemas of the periodic cases and notifications: quarterly plans (input, decisions, rows,
figures), semiannual reports (summary, typical cases, attachments, publicity, review, gallery), urging,
and in-app notifications.
"""

from __future__ import annotations

from webapp.api.registry import ref, schema
from webapp.api.schemas.common import (
    BINARY,
    DATE,
    DATETIME,
    DISTRICT,
    PLAN_STATUS,
    REPORT_STATUS,
    ROW_ID,
    choices,
    nullable,
    page_of,
    response_object,
    text,
)
from workflows.models.filing import APPRENTICESHIP_TYPES
from workflows.service import DECISIONS

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

def _decision_input(name: str, form_key: str, decisions: str, comment: str) -> dict:
    """The body of the city's decision on a period submission: one of the form's decisions and a comment."""
    return schema(name, {
        "type": "object",
        "additionalProperties": False,
        "required": ["decision"],
        "properties": {
            "decision": {"type": "string", "enum": list(DECISIONS[form_key]), "description": decisions},
            "comment": text(2000, comment),
        },
    })


def _open_input(name: str, part: str, part_schema: dict) -> dict:
    """The body that opens one district's period (``part``: its quarter or half of the year)."""
    return schema(name, {
        "type": "object",
        "additionalProperties": False,
        "required": ["district_code", "year", part],
        "properties": {
            "district_code": DISTRICT,
            "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "description": "年度"},
            part: part_schema,
        },
    })


PLAN_DECISION = _decision_input("PlanDecisionInput", "plan_record",
                                "`record` 予以备案；`return` 退回修改（须填写意见）", "意见（退回修改时必填）")

PLAN_OPEN = _open_input("PlanOpenInput", "quarter",
                        {"type": "integer", "minimum": 1, "maximum": 4, "description": "季度（1-4）"})

PLAN_ROW = schema("PlanRow", response_object("计划行：一件备案（受理中或已通过）在本季度的培训安排", {
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

_TOP = {"type": "array", "items": response_object("", {
    "name": {"type": "string"}, "trainees": {"type": "integer"},
    "share": {"type": "number", "description": "占全区学员比例（0-1）"},
    "over": {"type": "boolean", "description": "超过集中度阈值"}})}

PLAN_FIGURES = schema("PlanFigures", response_object(
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

PLAN_SUMMARY = schema("PlanSummary", response_object("季度计划（列表项）", _PLAN_SUMMARY))
PLAN_LIST = schema("PlanList", page_of("PlanSummary", "一页季度计划"))

PLAN = schema("Plan", response_object("季度计划详情", {
    **_PLAN_SUMMARY,
    "notes": {"type": "string"},
    "justification": {"type": "string"},
    "rows": {"type": "array", "items": ref("PlanRow")},
    "figures": ref("PlanFigures"),
    "flags": response_object("提示", {
        "share_below_min": {"type": "boolean", "description": "R3：全年中级工及以上占比低于规定比例"},
        "concentration": {"type": "boolean", "description": "R4：有企业或职业超过集中度阈值"},
        "over_budget": {"type": "boolean", "description": "R5：超出年度预算"},
        "flagged_to_city": {"type": "boolean", "description": "已在提交时提示市中心（低于70%）"},
    }),
    "problems": {"type": "array", "description": "最近一次提交未通过的校验（字段路径与 422 相同）",
                 "items": response_object("", {"field": {"type": "string"}, "message": {"type": "string"}})},
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

REPORT_REVIEW = _decision_input("ReportReviewInput", "report_accept",
                                "`accept` 接收；`more` 要求补充（须填写意见）",
                                "意见（要求补充时必填，写明需要补充的内容）")

REPORT_OPEN = _open_input("ReportOpenInput", "half",
                          {"type": "integer", "enum": [1, 2], "description": "1 上半年；2 下半年"})

EXCELLENT_INPUT = schema("ExcellentInput", {
    "type": "object",
    "additionalProperties": False,
    "required": ["excellent"],
    "properties": {"excellent": {"type": "boolean", "description": "true 标为优秀案例；false 取消"}},
})

ATTACHMENT = schema("Attachment", response_object("上传的文件", {
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
REPORT_CASE = schema("ReportCase", response_object("典型案例", _REPORT_CASE))

PUBLICITY = schema("PublicityItem", response_object("宣传报道", {
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
REPORT_SUMMARY = schema("ReportSummary", response_object("半年报告（列表项）", _REPORT_SUMMARY))
REPORT_LIST = schema("ReportList", page_of("ReportSummary", "一页半年报告"))

REPORT = schema("Report", response_object("半年经验总结报告详情", {
    **_REPORT_SUMMARY,
    "summary": {"type": "string"},
    "cases": {"type": "array", "items": ref("ReportCase")},
    "publicity": {"type": "array", "items": ref("PublicityItem")},
    "can_edit": {"type": "boolean", "description": "调用者现在可以修改和报送"},
    "problems": {"type": "object", "description": "编写中时：报送前还需补充的内容（字段 → 提示）",
                 "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    "last_request": {"anyOf": [response_object("", {"at": DATETIME, "actor": {"type": "string"},
                                            "comment": {"type": "string"}}), {"type": "null"}],
                     "description": "已退回时：市中心最近一次要求补充的意见"},
    "tasks": {"type": "array", "items": ref("Task"), "description": "调用者可以办理的待办任务"},
    "history": {"type": "array", "items": ref("HistoryEvent")},
}))

GALLERY_CASE = schema("GalleryCase", response_object("案例库中的典型案例（已接收报告中的案例）", {
    **_REPORT_CASE,
    "district_code": DISTRICT,
    "district_name": {"type": "string"},
    "period_key": {"type": "string"},
    "period_label": {"type": "string"},
}))
GALLERY = schema("Gallery", page_of("GalleryCase", "一页典型案例，优秀案例在前"))

# --- notifications ---------------------------------------------------------------------------------------

NOTIFICATION = schema("Notification", response_object("站内信", {
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
UNREAD_COUNT = schema("UnreadCount", response_object("未读数", {"unread": {"type": "integer"}}))
READ_ALL = schema("ReadAll", response_object("全部标为已读的结果", {
    "marked": {"type": "integer", "description": "本次标为已读的条数"}, "unread": {"type": "integer"}}))
