"""Policy parameters, versioned with an effective date (SPEC R3-R5, R9; issue 3).

Design
------
* The subsidy rate per person per year is a DMN decision table, ``bpmn/subsidy_rates.dmn``
  (decision ``subsidy_rate``), evaluated by the businessRuleTask 确定补贴标准 of the training-filing
  diagram. Its rows carry the default rates; each row's output reads the rate of the policy version
  the filing is judged by from the task data (``policy_rates["<type>:<level>"]``) and falls back to
  the row's default. So the table stays the single place where a type and a level become a rate, and
  admins change the amounts without deploying a new diagram.
* Every other parameter (concentration thresholds, the intermediate-and-above minimum, the training
  period limits, the resubmission window) and the rate table are stored in ``policy_version`` rows:
  append-only, each in force from its ``effective_from`` date (China time) until a later one. A new
  version copies the whole rate table, so a version means the same thing forever.
* At submission the filing stores the id of the version in force (``Filing.policy_version_id``); the
  automatic checks and the fund plan of that submission use that version only. Publishing a version
  never alters a filing submitted before it. Versions may not take effect in the past.
* With no version published the defaults below and the DMN table's default rates apply
  (``version_id`` None).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.cases import unit_of_work
from workflows.clock import now
from workflows.dto import Actor
from workflows.engine import RestrictedEnvironment, get_engine
from workflows.errors import NotFound, ValidationFailed
from workflows.models import Filing, PolicyVersion
from workflows.rules import ids
from workflows.rules import inputs as rule_inputs
from workflows.security import log

CHINA_TZ = ZoneInfo("Asia/Shanghai")
DECISION_ID = "subsidy_rate"
RATE_TASK_ID = "decide_subsidy_rate"
MAX_RATE_YUAN = 100_000


def rate_key(apprenticeship_type: str, level: int, shortage: bool = False) -> str:
    """Key of one rate in ``PolicyVersion.rates`` and in the DMN's ``policy_rates``; the uplifted rate
    of a shortage-list occupation (紧缺急需) at 三级 and above is ``"<type>:<level>:shortage"``."""
    base = f"{apprenticeship_type}:{int(level)}"
    return f"{base}:shortage" if shortage and int(level) in UPLIFT_LEVELS else base


# Levels whose shortage-list occupations carry an uplifted rate (Guangdong: up to +30% for 三级 and above).
UPLIFT_LEVELS: tuple[int, ...] = (3, 2, 1)
RATE_KEYS: tuple[str, ...] = tuple(rate_key(t, lv) for t in ids.APPRENTICESHIP_TYPES for lv in ids.LEVELS)
UPLIFT_KEYS: tuple[str, ...] = tuple(rate_key(t, lv, True) for t in ids.APPRENTICESHIP_TYPES for lv in UPLIFT_LEVELS)

# Supporting documents each apprenticeship type must carry at submission (SPEC section 4, issue 15):
# a labour contract (or social-insurance proof) and a training agreement for all; 学生学徒 also the
# school-enterprise agreement. A policy version may set its own table (``required_attachments``).
DEFAULT_REQUIRED_ATTACHMENTS: dict[str, tuple[str, ...]] = {
    "enterprise_apprentice": ("labour_contract", "training_agreement"),
    "tech_trainee": ("labour_contract", "training_agreement"),
    "student_apprentice": ("labour_contract", "training_agreement", "school_agreement"),
}


@dataclass(frozen=True)
class PolicyParams:
    """The parameters a filing is judged by. ``version_rates`` is the version's rate table (yuan per
    person per year by ``rate_key``), empty when no version is published (the DMN defaults apply);
    ``rates`` is the effective table nested by type and level, for screens."""

    version_id: int | None = None
    effective_from: date | None = None
    enterprise_share_threshold: float = 0.20
    occupation_share_threshold: float = 0.30
    intermediate_min_share: float = 0.70
    max_period_years: int = 2
    max_period_years_with_reason: int = 3
    resubmit_window_days: int = 15
    resubmit_working_days: bool = True
    review_window_days: int = 10  # working days the district has for reviewing a filing
    max_trainee_age: int = 60
    student_graduation_window_years: int = 2
    student_highest_level: int = 3
    min_hours_per_year: int = 600
    min_class_hours_per_year: int = 120
    version_rates: dict[str, int] = field(default_factory=dict)
    # The training project after 备案 (issue 16).
    start_report_days: int = 30  # 开班报告 due this many days after the filed start
    start_report_reminder_days: int = 7
    advance_max_share: float = 0.40  # 预支 at most this share of the started trainees' subsidy
    notice_working_days: int = 5  # 公示 length
    refund_months: int = 3  # an excess advance is refunded within this many months
    fund_risk_share: float = 0.90  # 资金支付风险 when committed + paid pass this share of the budget
    required_attachments: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_REQUIRED_ATTACHMENTS))

    def required_attachment_kinds(self, apprenticeship_type: str) -> tuple[str, ...]:
        """The supporting-document kinds a filing of this type must carry when it is submitted."""
        return tuple(self.required_attachments.get(apprenticeship_type, ()))

    def rate(self, apprenticeship_type: str, level: int, shortage: bool = False) -> int:
        """Yuan per person per year, as the diagram's DMN table will decide it (``shortage``: the
        occupation is on the shortage list, 紧缺急需)."""
        key = rate_key(apprenticeship_type, level, shortage)
        if key in self.version_rates:
            return int(self.version_rates[key])
        return int(dmn_default_rates().get(key, 0))

    def effective_rates(self) -> dict[str, int]:
        """The full table by ``rate_key``: this version's rates over the DMN defaults."""
        defaults = dmn_default_rates()
        return {key: int(self.version_rates.get(key, defaults.get(key, 0))) for key in RATE_KEYS + UPLIFT_KEYS}

    @property
    def rates(self) -> dict[str, dict[int, int]]:
        """The effective table as ``{apprenticeship type: {level: yuan}}``."""
        nested: dict[str, dict[int, int]] = {t: {} for t in ids.APPRENTICESHIP_TYPES}
        for key, value in self.effective_rates().items():
            if key not in RATE_KEYS:
                continue
            kind, level = key.split(":")
            nested[kind][int(level)] = value
        return nested

    def rules_params(self) -> rule_inputs.Params:
        return rule_inputs.Params(
            max_period_years=self.max_period_years,
            max_period_years_with_reason=self.max_period_years_with_reason,
            enterprise_share_threshold=self.enterprise_share_threshold,
            occupation_share_threshold=self.occupation_share_threshold,
            intermediate_min_share=self.intermediate_min_share,
            max_trainee_age=self.max_trainee_age,
            student_graduation_window_years=self.student_graduation_window_years,
            student_highest_level=self.student_highest_level,
            min_hours_per_year=self.min_hours_per_year,
            min_class_hours_per_year=self.min_class_hours_per_year,
            required_attachments=self.required_attachments,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective_from"] = self.effective_from.isoformat() if self.effective_from else None
        return data


DEFAULTS = PolicyParams()


# --------------------------------------------------------------------------------------------------
# The DMN table's default rates


_dmn_defaults: dict[str, dict[str, int]] = {}


def dmn_default_rates() -> dict[str, int]:
    """The default rate of every row of the DMN table in the current diagram (``policy_rates`` empty).

    Read from the businessRuleTask's parsed decision table, so it is exactly what the diagram uses."""
    engine = get_engine()
    version = engine.current("training_filing")
    cached = _dmn_defaults.get(version.version_hash)
    if cached is not None:
        return cached
    table = version.spec.task_specs[RATE_TASK_ID].dmnEngine.decision_table
    env = RestrictedEnvironment({})
    rates: dict[str, int] = {}
    for rule in table.rules:
        apprenticeship_type = env.evaluate(rule.inputEntries[0].lhs[0], {})
        level = env.evaluate(rule.inputEntries[1].lhs[0], {})
        shortage_entry = rule.inputEntries[2].lhs[0] if len(rule.inputEntries) > 2 and rule.inputEntries[2].lhs else ""
        shortage = bool(shortage_entry) and shortage_entry.strip() not in ("-", "") and bool(
            env.evaluate(shortage_entry, {}))
        rates[rate_key(apprenticeship_type, level, shortage)] = int(env.evaluate(rule.outputEntries[0].text,
                                                                                 {"policy_rates": {}}))
    _dmn_defaults[version.version_hash] = rates
    return rates


# --------------------------------------------------------------------------------------------------
# Versions


def china_date(at: datetime) -> date:
    return at.astimezone(CHINA_TZ).date()


def params_of(row: PolicyVersion | None) -> PolicyParams:
    if row is None:
        return PolicyParams()
    return PolicyParams(
        version_id=row.id,
        effective_from=row.effective_from,
        enterprise_share_threshold=row.enterprise_share_bp / 10000,
        occupation_share_threshold=row.occupation_share_bp / 10000,
        intermediate_min_share=row.intermediate_min_bp / 10000,
        max_period_years=row.max_period_years,
        max_period_years_with_reason=row.max_period_years_with_reason,
        resubmit_window_days=row.resubmit_window_days,
        resubmit_working_days=bool(row.resubmit_working_days),
        review_window_days=int(row.review_window_days or 10),
        max_trainee_age=row.max_trainee_age,
        student_graduation_window_years=row.student_graduation_window_years,
        student_highest_level=row.student_highest_level,
        min_hours_per_year=row.min_hours_per_year,
        min_class_hours_per_year=row.min_class_hours_per_year,
        version_rates={str(k): int(v) for k, v in (row.rates or {}).items()},
        start_report_days=int(row.start_report_days),
        advance_max_share=row.advance_max_bp / 10000,
        notice_working_days=int(row.notice_working_days),
        refund_months=int(row.refund_months),
        fund_risk_share=row.fund_risk_bp / 10000,
        required_attachments=({str(k): tuple(v) for k, v in row.required_attachments.items()}
                              if row.required_attachments is not None else dict(DEFAULT_REQUIRED_ATTACHMENTS)),
    )


def version_in_force(session: Session, at: datetime | None = None) -> PolicyVersion | None:
    """The version in force at ``at``: the latest effective date on or before that day among the
    versions that existed then (so the answer for a past instant never changes)."""
    at = at or now()
    return session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.effective_from <= china_date(at), PolicyVersion.created_at <= at)
        .order_by(PolicyVersion.effective_from.desc(), PolicyVersion.id.desc())
        .limit(1)
    ).first()


def in_force(session: Session, at: datetime | None = None) -> PolicyParams:
    """The parameters in force at ``at`` (now by default); the defaults before any version exists."""
    return params_of(version_in_force(session, at))


# Versions are never changed or deleted once written (a change is a new version), so the parameters of
# one are read once per process and database: every decision reads its filing's.
_by_id: dict[tuple[str, int], PolicyParams] = {}


def clear_cache() -> None:
    """Forget the versions read (tests that empty the tables reuse ids)."""
    _by_id.clear()


def by_id(session: Session, version_id: int | None) -> PolicyParams:
    """The parameters of one version (the defaults for None)."""
    if version_id is None:
        return PolicyParams()
    key = (str(session.get_bind().engine.url), int(version_id))
    cached = _by_id.get(key)
    if cached is not None:
        return cached
    row = session.get(PolicyVersion, int(version_id))
    if row is None:
        raise LookupError(f"policy version {version_id} not found")
    _by_id[key] = params = params_of(row)
    return params


def for_filing(session: Session, filing: Filing) -> PolicyParams:
    """The parameters a filing is judged by: those of its submission, or today's for a draft. A filing
    submitted while no version was published is judged by the defaults, whatever is published later."""
    if filing.policy_version_id is not None:
        return by_id(session, filing.policy_version_id)
    if filing.submitted_at is not None:
        return PolicyParams()
    return in_force(session)


def versions(session: Session) -> list[PolicyVersion]:
    """Every version, newest effective date first."""
    return list(session.scalars(select(PolicyVersion).order_by(PolicyVersion.effective_from.desc(),
                                                               PolicyVersion.id.desc())))


def version_state(row: PolicyVersion, current_id: int | None, at: datetime | None = None) -> str:
    """'current' (生效中), 'scheduled' (待生效) or 'superseded' (已失效)."""
    if row.id == current_id:
        return "current"
    if row.effective_from > china_date(at or now()):
        return "scheduled"
    return "superseded"


VERSION_STATES = {"current": "生效中", "scheduled": "待生效", "superseded": "已失效"}


@dataclass
class PolicyInput:
    """A new version as typed on the admin screen; shares in percent, rates in yuan."""

    effective_from: date | None
    enterprise_share_pct: float
    occupation_share_pct: float
    intermediate_min_pct: float
    max_period_years: int
    max_period_years_with_reason: int
    resubmit_window_days: int
    resubmit_working_days: bool
    rates: dict[str, int]
    note: str = ""
    review_window_days: int = 10
    max_trainee_age: int = DEFAULTS.max_trainee_age
    student_graduation_window_years: int = DEFAULTS.student_graduation_window_years
    student_highest_level: int = DEFAULTS.student_highest_level
    min_hours_per_year: int = DEFAULTS.min_hours_per_year
    min_class_hours_per_year: int = DEFAULTS.min_class_hours_per_year
    start_report_days: int = DEFAULTS.start_report_days
    advance_max_pct: float = DEFAULTS.advance_max_share * 100
    notice_working_days: int = DEFAULTS.notice_working_days
    refund_months: int = DEFAULTS.refund_months
    fund_risk_pct: float = DEFAULTS.fund_risk_share * 100
    # apprenticeship type -> supporting-document kinds required at submission (None: the defaults)
    required_attachments: dict[str, tuple[str, ...]] | None = None


def input_from(params: PolicyParams) -> PolicyInput:
    """A form pre-filled with ``params`` (what is in force now)."""
    return PolicyInput(
        effective_from=None,
        enterprise_share_pct=round(params.enterprise_share_threshold * 100, 2),
        occupation_share_pct=round(params.occupation_share_threshold * 100, 2),
        intermediate_min_pct=round(params.intermediate_min_share * 100, 2),
        max_period_years=params.max_period_years,
        max_period_years_with_reason=params.max_period_years_with_reason,
        resubmit_window_days=params.resubmit_window_days,
        resubmit_working_days=params.resubmit_working_days,
        rates=params.effective_rates(),
        review_window_days=params.review_window_days,
        max_trainee_age=params.max_trainee_age,
        student_graduation_window_years=params.student_graduation_window_years,
        student_highest_level=params.student_highest_level,
        min_hours_per_year=params.min_hours_per_year,
        min_class_hours_per_year=params.min_class_hours_per_year,
        start_report_days=params.start_report_days,
        advance_max_pct=round(params.advance_max_share * 100, 2),
        notice_working_days=params.notice_working_days,
        refund_months=params.refund_months,
        fund_risk_pct=round(params.fund_risk_share * 100, 2),
        required_attachments={t: params.required_attachment_kinds(t) for t in ids.APPRENTICESHIP_TYPES},
    )


def _pct_errors(errors: dict[str, list[str]], name: str, label: str, value: float) -> None:
    if value is None or not 0 < value <= 100:
        errors[name] = [f"{label}应大于0且不超过100%"]
    elif round(value * 100) != round(value * 100, 6):
        errors[name] = [f"{label}最多保留两位小数"]


def validate(data: PolicyInput, today: date) -> dict[str, list[str]]:
    """Field -> Chinese messages for a new version."""
    errors: dict[str, list[str]] = {}
    if data.effective_from is None:
        errors["effective_from"] = ["请填写生效日期"]
    elif data.effective_from < today:
        errors["effective_from"] = [f"生效日期不能早于今天（{today.isoformat()}），历史参数不能修改"]
    _pct_errors(errors, "enterprise_share_pct", "单个企业占比提示线", data.enterprise_share_pct)
    _pct_errors(errors, "occupation_share_pct", "单个职业（工种）占比提示线", data.occupation_share_pct)
    _pct_errors(errors, "intermediate_min_pct", "中级工及以上最低占比", data.intermediate_min_pct)
    if not 1 <= (data.max_period_years or 0) <= 5:
        errors["max_period_years"] = ["培训期限上限应为1至5年"]
    if not (data.max_period_years or 0) <= (data.max_period_years_with_reason or 0) <= 5:
        errors["max_period_years_with_reason"] = ["说明理由后的培训期限上限应不少于一般上限，且不超过5年"]
    if not 1 <= (data.resubmit_window_days or 0) <= 90:
        errors["resubmit_window_days"] = ["退回修改期限应为1至90天"]
    if not 1 <= (data.review_window_days or 0) <= 60:
        errors["review_window_days"] = ["区级审核期限应为1至60个工作日"]
    if not 18 <= (data.max_trainee_age or 0) <= 70:
        errors["max_trainee_age"] = ["学员年龄上限应为18至70周岁"]
    if not 1 <= (data.student_graduation_window_years or 0) <= 5:
        errors["student_graduation_window_years"] = ["学生学徒预计毕业时间范围应为1至5年"]
    if data.student_highest_level not in ids.LEVELS:
        errors["student_highest_level"] = ["请选择学生学徒的最高培训等级"]
    if not 1 <= (data.min_hours_per_year or 0) <= 3000:
        errors["min_hours_per_year"] = ["每培训年最低总学时应为1至3000学时"]
    if not 0 <= (data.min_class_hours_per_year if data.min_class_hours_per_year is not None else -1) \
            <= (data.min_hours_per_year or 0):
        errors["min_class_hours_per_year"] = ["每培训年最低理论课学时应为0至最低总学时之间"]
    for key in RATE_KEYS:
        value = data.rates.get(key)
        if value is None or not 0 <= int(value) <= MAX_RATE_YUAN:
            kind, level = key.split(":")
            errors[f"rate_{kind}_{level}"] = [
                f"{ids.APPRENTICESHIP_TYPES[kind]}{ids.LEVELS[int(level)]}的补贴标准应为0至{MAX_RATE_YUAN}元的整数"]
    if not 1 <= (data.start_report_days or 0) <= 180:
        errors["start_report_days"] = ["开班报告期限应为1至180天"]
    _pct_errors(errors, "advance_max_pct", "预支比例上限", data.advance_max_pct)
    if not 1 <= (data.notice_working_days or 0) <= 30:
        errors["notice_working_days"] = ["公示期应为1至30个工作日"]
    if not 1 <= (data.refund_months or 0) <= 24:
        errors["refund_months"] = ["退款期限应为1至24个月"]
    _pct_errors(errors, "fund_risk_pct", "资金支付风险提示线", data.fund_risk_pct)
    for key in UPLIFT_KEYS:
        value = data.rates.get(key)
        if value is not None and not 0 <= int(value) <= MAX_RATE_YUAN:
            kind, level, _ = key.split(":")
            errors[f"rate_{kind}_{level}_shortage"] = [
                f"{ids.APPRENTICESHIP_TYPES[kind]}{ids.LEVELS[int(level)]}（紧缺急需）的补贴标准应为0至{MAX_RATE_YUAN}元的整数"]
    if len(data.note or "") > 1000:
        errors["note"] = ["说明不能超过1000字"]
    for kind, required in (data.required_attachments or {}).items():
        unknown = [k for k in required if k not in ids.ATTACHMENT_KINDS]
        if kind not in ids.APPRENTICESHIP_TYPES or unknown:
            errors[f"required_{kind}"] = ["证明材料类别不正确：" + "、".join(unknown or [kind])]
    return errors


def add_version(session: Session, actor: Actor, data: PolicyInput) -> PolicyVersion:
    """Publish a new version (admins only). Nothing existing is changed."""
    with unit_of_work(session):
        if actor.role != "admin":
            raise NotFound("页面不存在，或您无权查看。")
        errors = validate(data, china_date(now()))
        if errors:
            raise ValidationFailed("政策参数有误，请修改标出的内容。", errors)
        row = PolicyVersion(
            effective_from=data.effective_from,
            enterprise_share_bp=round(data.enterprise_share_pct * 100),
            occupation_share_bp=round(data.occupation_share_pct * 100),
            intermediate_min_bp=round(data.intermediate_min_pct * 100),
            max_period_years=int(data.max_period_years),
            max_period_years_with_reason=int(data.max_period_years_with_reason),
            resubmit_window_days=int(data.resubmit_window_days),
            resubmit_working_days=bool(data.resubmit_working_days),
            review_window_days=int(data.review_window_days),
            max_trainee_age=int(data.max_trainee_age),
            student_graduation_window_years=int(data.student_graduation_window_years),
            student_highest_level=int(data.student_highest_level),
            min_hours_per_year=int(data.min_hours_per_year),
            min_class_hours_per_year=int(data.min_class_hours_per_year),
            rates={**{key: int(data.rates[key]) for key in RATE_KEYS},
                   **{key: int(data.rates[key]) for key in UPLIFT_KEYS if key in data.rates}},
            required_attachments=(
                {t: [k for k in ids.ATTACHMENT_KINDS if k in (data.required_attachments.get(t) or ())]
                 for t in ids.APPRENTICESHIP_TYPES} if data.required_attachments is not None else None),
            note=(data.note or "").strip(),
            start_report_days=int(data.start_report_days),
            advance_max_bp=round(data.advance_max_pct * 100),
            notice_working_days=int(data.notice_working_days),
            refund_months=int(data.refund_months),
            fund_risk_bp=round(data.fund_risk_pct * 100),
            created_by_id=actor.id,
            created_by_name=actor.name,
            created_at=now(),
        )
        session.add(row)
        session.flush()
        log.record_actor(session, actor, "policy_change", f"policy_version:{row.id}", row_summary(row))
    return row


def row_summary(row: PolicyVersion) -> dict[str, Any]:
    """A policy version's parameters, for the security log."""
    return {"effective_from": row.effective_from, "enterprise_share_bp": row.enterprise_share_bp,
            "occupation_share_bp": row.occupation_share_bp, "intermediate_min_bp": row.intermediate_min_bp,
            "max_period_years": row.max_period_years, "max_period_years_with_reason": row.max_period_years_with_reason,
            "resubmit_window_days": row.resubmit_window_days, "resubmit_working_days": row.resubmit_working_days,
            "rates": row.rates, "note": row.note}
