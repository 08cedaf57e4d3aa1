"""The training project's case kind, its statuses with their labels (defined here once), the
decisions its review tasks accept and its settings."""

from __future__ import annotations

KIND = "training_project"
KIND_LABEL = "培训项目"
PROCESS_ID = "training_project"

# In the order a project moves through them; codes are the diagram's status properties.
STATUS_LABELS: dict[str, str] = {
    "class_report": "待开班报告",
    "running": "培训实施中",
    "advance_review": "预支待区审核",
    "advance_payment": "预支待拨付",
    "change_review": "变更待区审核",
    "stopped": "已终止待结业考核",
    "assessment_review": "考核待区审核",
    "claim": "待补贴申领",
    "claim_review": "申领待区审核",
    "publicity": "公示中",
    "objection_review": "异议待处理",
    "claim_confirm": "待市确认",
    "claim_payment": "待拨付补贴",
    "refund": "待退回预支款",
    "refund_confirm": "退款待确认",
    "completed": "已完成",
}

# Review forms: decision -> (audit label, comment required).
DECISIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "project_advance_review": {"approve": ("同意预支", False), "reject": ("不同意预支", True)},
    "project_change_review": {"approve": ("同意变更", False), "reject": ("不同意变更", True)},
    "project_assessment_review": {"approve": ("考核结果通过", False), "return": ("退回修改", True)},
    "project_claim_review": {"approve": ("同意申领并公示", False), "return": ("退回修改", True)},
    "project_objection_review": {"dismiss": ("异议不成立", True), "uphold": ("异议成立，退回企业", True)},
    "project_claim_confirm": {"confirm": ("确认", False), "send_back": ("退回区局", True)},
}

# Forms the enterprise and the city fill with data (each has its use case in the module of its step).
CLASS_REPORT_FORM = "project_class_report"
RUNNING_FORM = "project_running"
CLAIM_FORM = "project_claim"
REFUND_FORM = "project_refund"
ADVANCE_PAYMENT_FORM = "project_advance_payment"
CLAIM_PAYMENT_FORM = "project_claim_payment"
REFUND_CONFIRM_FORM = "project_refund_confirm"

ACTIONS: dict[str, str] = {"advance": "申请预支", "change": "申报变更", "assess": "提交结业考核"}

# Statuses in which the project's trainees count as "in an active filing" (until released).
OPEN = tuple(code for code in STATUS_LABELS if code != "completed")
