"""Submission rounds (第N次提交): what the enterprise submitted each time, frozen at submission, and what
changed from one round to the next, field by field (trainees added / removed / changed, courses, period).

A snapshot keeps no resident ID number in clear: trainees are matched across rounds by its keyed blind
index (``trainee.id_number_index``) and shown by its mask (``rules.ids.mask_id_number``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.models import Filing, FilingRound
from workflows.models.filing import APPRENTICESHIP_TYPES, COURSE_CATEGORIES, INSTITUTION_TYPES, LEVELS
from workflows.rules.ids import mask_id_number, normalize_id_number

FILING_FIELDS: dict[str, str] = {
    "apprenticeship_type": "学徒类型",
    "occupation": "培训职业（工种）",
    "level": "培训等级",
    "period_start": "培训开始日期",
    "period_end": "培训结束日期",
    "period_reason": "培训期限说明",
    "institution_name": "培训机构",
    "institution_type": "培训机构类型",
    "tutor_enterprise": "企业导师",
    "tutor_institution": "院校导师",
    "career_plan": "职业发展规划",
    "training_goals": "培养目标",
    "retention_measures": "留用晋升措施",
    "subsidy": "申请补贴（元）",
}
TRAINEE_FIELDS: dict[str, str] = {
    "name": "姓名", "job_post": "工作岗位", "contract_start": "劳动合同起始日", "school": "学校",
    "graduation_year": "毕业年份", "recruited_on": "招用日期", "major": "专业", "expected_graduation": "预计毕业",
}
COURSE_FIELDS: dict[str, str] = {"hours": "学时", "textbook": "教材", "off_catalogue_reason": "目录外教材理由"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def id_key(id_number: str) -> str:
    """A fallback key of a trainee across rounds when no blind index is set (the keyed
    ``trainee.id_number_index`` is used first, so no unkeyed hash of an ID number is stored)."""
    return hashlib.sha256(normalize_id_number(id_number or "").encode("utf-8")).hexdigest()[:24]


def snapshot(filing: Filing) -> dict[str, Any]:
    """The filing's content as submitted, as plain labelled text (no ID number in clear)."""
    yuan = (filing.subsidy_fen or 0) // 100
    return {
        "fields": {
            "apprenticeship_type": APPRENTICESHIP_TYPES.get(filing.apprenticeship_type, filing.apprenticeship_type),
            "occupation": f"{filing.occupation_code} {filing.occupation_name}".strip(),
            "level": LEVELS.get(filing.level, str(filing.level)),
            "period_start": _text(filing.period_start), "period_end": _text(filing.period_end),
            "period_reason": filing.period_reason or "", "institution_name": filing.institution_name or "",
            "institution_type": INSTITUTION_TYPES.get(filing.institution_type, filing.institution_type),
            "tutor_enterprise": filing.tutor_enterprise or "", "tutor_institution": filing.tutor_institution or "",
            "career_plan": filing.career_plan or "", "training_goals": filing.training_goals or "",
            "retention_measures": filing.retention_measures or "", "subsidy": f"{yuan:,}",
        },
        "trainees": [{
            "key": t.id_number_index or id_key(t.id_number), "id_masked": mask_id_number(t.id_number), "name": t.name,
            "job_post": t.job_post or "", "contract_start": _text(t.contract_start), "school": t.school or "",
            "graduation_year": _text(t.graduation_year), "recruited_on": _text(t.recruited_on),
            "major": t.major or "", "expected_graduation": _text(t.expected_graduation),
        } for t in filing.trainees],
        "courses": [{
            "key": f"{c.category}|{c.name.strip()}", "name": c.name,
            "category": COURSE_CATEGORIES.get(c.category, c.category), "hours": _text(c.hours),
            "textbook": " ".join(x for x in (c.textbook_isbn, c.textbook_title) if x),
            "off_catalogue_reason": c.off_catalogue_reason or "",
        } for c in filing.courses],
    }


def record_round(session: Session, filing: Filing) -> FilingRound:
    """Freeze what was just submitted as the next round (no commit)."""
    last = session.scalar(select(func.max(FilingRound.round)).where(FilingRound.filing_id == filing.id)) or 0
    row = FilingRound(filing_id=filing.id, round=int(last) + 1, content=snapshot(filing), submitted_at=now())
    session.add(row)
    filing.submission_round = row.round
    session.flush()
    return row


def rounds_of(session: Session, filing_ids: list[int]) -> dict[int, int]:
    """How many times each filing was submitted (filing id -> N of 第N次提交), in one query."""
    if not filing_ids:
        return {}
    rows = session.execute(select(FilingRound.filing_id, func.max(FilingRound.round))
                           .where(FilingRound.filing_id.in_(sorted(set(filing_ids))))
                           .group_by(FilingRound.filing_id)).tuples().all()
    return {fid: int(n) for fid, n in rows}


@dataclass
class Change:
    """One changed value: where (section and label), before and after ("" when added / removed)."""

    section: str
    label: str
    before: str = ""
    after: str = ""


@dataclass
class RoundDiff:
    """What changed between round ``previous`` and round ``current``."""

    previous: int
    current: int
    fields: list[Change] = field(default_factory=list)
    trainees_added: list[str] = field(default_factory=list)
    trainees_removed: list[str] = field(default_factory=list)
    trainees_changed: list[Change] = field(default_factory=list)
    courses_added: list[str] = field(default_factory=list)
    courses_removed: list[str] = field(default_factory=list)
    courses_changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.fields or self.trainees_added or self.trainees_removed or self.trainees_changed
                    or self.courses_added or self.courses_removed or self.courses_changed)


def _who(t: dict[str, Any]) -> str:
    return f"{t.get('name', '')}（{t.get('id_masked', '')}）"


def compare(before: dict[str, Any], after: dict[str, Any], previous: int = 0, current: int = 0) -> RoundDiff:
    """Field-by-field difference of two snapshots (pure)."""
    diff = RoundDiff(previous, current)
    old_fields, new_fields = before.get("fields", {}), after.get("fields", {})
    for name, label in FILING_FIELDS.items():
        if old_fields.get(name, "") != new_fields.get(name, ""):
            diff.fields.append(Change("基本信息", label, old_fields.get(name, ""), new_fields.get(name, "")))
    old_t = {t["key"]: t for t in before.get("trainees", [])}
    new_t = {t["key"]: t for t in after.get("trainees", [])}
    diff.trainees_added = [_who(t) for k, t in new_t.items() if k not in old_t]
    diff.trainees_removed = [_who(t) for k, t in old_t.items() if k not in new_t]
    for key, t in new_t.items():
        if key in old_t:
            for name, label in TRAINEE_FIELDS.items():
                if old_t[key].get(name, "") != t.get(name, ""):
                    diff.trainees_changed.append(Change(_who(t), label, old_t[key].get(name, ""), t.get(name, "")))
    old_c = {c["key"]: c for c in before.get("courses", [])}
    new_c = {c["key"]: c for c in after.get("courses", [])}
    diff.courses_added = [f"{c['category']}：{c['name']}" for k, c in new_c.items() if k not in old_c]
    diff.courses_removed = [f"{c['category']}：{c['name']}" for k, c in old_c.items() if k not in new_c]
    for key, c in new_c.items():
        if key in old_c:
            for name, label in COURSE_FIELDS.items():
                if old_c[key].get(name, "") != c.get(name, ""):
                    diff.courses_changed.append(Change(f"{c['category']}：{c['name']}", label,
                                                       old_c[key].get(name, ""), c.get(name, "")))
    return diff


def latest_diff(session: Session, filing_id: int) -> RoundDiff | None:
    """What the last submission changed since the one before it (None for a first submission)."""
    rows = list(session.scalars(select(FilingRound).where(FilingRound.filing_id == filing_id)
                                .order_by(FilingRound.round.desc()).limit(2)))
    if len(rows) < 2:
        return None
    return compare(rows[1].content, rows[0].content, rows[1].round, rows[0].round)
