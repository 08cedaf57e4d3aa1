"""Use cases of the admin area (系统管理): users, district year plans, enterprise profiles, deployed
process versions and instances that need attention.

Who may do what (anything else is NotFound, as everywhere): users are admin only; year plans and
enterprise profiles are city staff and admins; catalogues and policy versions are edited by admins
and read by city staff; process versions and stuck instances are admin only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from workflows.accounts import passwords, users
from workflows.cases import unit_of_work
from workflows.catalogue import admin as catalogue_admin
from workflows.catalogue import excel as catalogue_excel
from workflows.catalogue import reads as catalogue_reads
from workflows.clock import now
from workflows.dto import Actor
from workflows.engine import get_engine
from workflows.errors import NotFound, ValidationFailed
from workflows.filings import status as filing_status
from workflows.models import (
    DISTRICTS,
    DistrictYearPlan,
    Enterprise,
    Filing,
    FundTotal,
    SpecVersion,
    User,
    WorkflowInstance,
)
from workflows.models.org import ENTERPRISE_TAGS, ROLES, SIZE_CLASSES
from workflows.rules import ids
from workflows.rules.money import fen_to_yuan_str
from workflows.security import log

STUCK_TIMER_GRACE = timedelta(hours=1)
MAX_BUDGET_YUAN = 10_000_000_000


def require(actor: Actor, *roles: str) -> None:
    """NotFound unless the actor has one of ``roles`` (the admin area is invisible to the others)."""
    if actor.role not in roles:
        raise NotFound("页面不存在，或您无权查看。")


# --------------------------------------------------------------------------------------------------
# Users (admin only)


@dataclass
class UserInput:
    username: str
    display_name: str
    role: str
    password: str
    district_code: str | None = None
    enterprise_id: int | None = None


def list_users(session: Session, actor: Actor, role: str = "", q: str = "") -> list[User]:
    require(actor, "admin")
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(User.username.like(like) | User.display_name.like(like))
    return list(session.scalars(stmt.order_by(User.role, User.username)))


def create_user(session: Session, actor: Actor, data: UserInput) -> User:
    """A new account; district users need a district, enterprise users an enterprise."""
    with unit_of_work(session):
        require(actor, "admin")
        errors: dict[str, list[str]] = {}
        username = data.username.strip()
        if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").isalnum():
            errors["username"] = ["用户名应为1至64位字母、数字、-或_"]
        elif session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
            errors["username"] = [f"用户名“{username}”已被使用"]
        if not data.display_name.strip():
            errors["display_name"] = ["请填写姓名"]
        if data.role not in ROLES:
            errors["role"] = ["请选择角色"]
        found = passwords.problems(data.password or "", username)
        if found:
            errors["password"] = found
        district, enterprise_id = None, None
        if data.role == "district":
            district = data.district_code if data.district_code in DISTRICTS else None
            if district is None:
                errors["district_code"] = ["区人社局审核员须选择所属区"]
        if data.role == "enterprise":
            enterprise = session.get(Enterprise, data.enterprise_id) if data.enterprise_id else None
            if enterprise is None:
                errors["enterprise_id"] = ["企业经办人须选择所属企业"]
            else:
                enterprise_id, district = enterprise.id, enterprise.district_code
        if errors:
            raise ValidationFailed("用户信息有误，请修改标出的内容。", errors)
        user = users.create_user(session, username=username, password=data.password,
                                 display_name=data.display_name.strip(), role=data.role, district_code=district,
                                 enterprise_id=enterprise_id, must_change=True)
        log.record_actor(session, actor, "user_create", f"user:{user.id}",
                         {"username": user.username, "role": user.role, "district_code": district,
                          "enterprise_id": enterprise_id})
    return user


def set_user_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; admins cannot deactivate themselves."""
    with unit_of_work(session):
        require(actor, "admin")
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("未找到该用户。")
        if not active and user.id == actor.id:
            raise ValidationFailed("不能停用自己的账号。", {"user": ["不能停用自己的账号。"]})
        if user.active != active:
            user.active = active
            if not active:
                # Every session and token ends now; reactivating later does not revive them (new epoch).
                users.end_sessions(session, user)
            log.record_actor(session, actor, "user_activate" if active else "user_deactivate", f"user:{user.id}",
                             {"username": user.username})
    return user


def _user(session: Session, actor: Actor, user_id: int) -> User:
    require(actor, "admin")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("未找到该用户。")
    return user


def reset_password(session: Session, actor: Actor, user_id: int) -> tuple[User, str]:
    """Give the user a one-time password (returned once, to be shown once and never stored in clear): every
    session and token of the user ends, and the user must choose a new password at the next sign-in."""
    with unit_of_work(session):
        user = _user(session, actor, user_id)
        password = passwords.one_time_password()
        users.set_password(session, user, password, must_change=True)
        log.record_actor(session, actor, "password_reset", f"user:{user.id}", {"username": user.username})
    return user, password


def unlock_user(session: Session, actor: Actor, user_id: int) -> User:
    """Lift a lockout (and clear the failure count)."""
    with unit_of_work(session):
        user = _user(session, actor, user_id)
        user.failed_logins, user.locked_until = 0, None
        log.record_actor(session, actor, "account_unlock", f"user:{user.id}", {"username": user.username})
    return user


def end_user_sessions(session: Session, actor: Actor, user_id: int) -> int:
    """"Sign out everywhere": end every web session and API token of the user now; returns the tokens
    revoked."""
    with unit_of_work(session):
        user = _user(session, actor, user_id)
        count = users.end_sessions(session, user)
        log.record_actor(session, actor, "sessions_ended", f"user:{user.id}",
                         {"username": user.username, "tokens": count})
    return count


# --------------------------------------------------------------------------------------------------
# District year plans (city staff and admins)


@dataclass
class YearPlanRow:
    district_code: str
    district_name: str
    budget_fen: int
    planned_headcount: int
    committed_fen: int
    trainees: int
    exists: bool


def year_plans(session: Session, actor: Actor, year: int) -> list[YearPlanRow]:
    """Every district's budget and headcount for ``year`` with what approved filings already use."""
    require(actor, "city", "admin")
    plans = {p.district_code: p for p in session.scalars(select(DistrictYearPlan).where(DistrictYearPlan.year == year))}
    committed = case((WorkflowInstance.status.in_(filing_status.COMMITTED), Filing.subsidy_fen), else_=0)
    counted = case((WorkflowInstance.status.in_(filing_status.COUNTED),
                    Filing.trainee_count), else_=0)
    used = {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in session.execute(
        select(Filing.district_code, func.sum(committed), func.sum(counted))
        .join(WorkflowInstance, Filing.instance_id == WorkflowInstance.id)
        .where(Filing.plan_year == year).group_by(Filing.district_code))}
    rows = []
    for code, name in DISTRICTS.items():
        plan = plans.get(code)
        rows.append(YearPlanRow(code, name, plan.budget_fen if plan else 0, plan.planned_headcount if plan else 0,
                                used.get(code, (0, 0))[0], used.get(code, (0, 0))[1], plan is not None))
    return rows


def save_year_plans(session: Session, actor: Actor, year: int, values: dict[str, tuple[int | None, int | None]],
                    confirm_below_committed: bool = False) -> int:
    """Set budget (fen) and planned headcount per district for ``year``; all or nothing. A budget below
    what the district has already committed and paid that year (``fund_total``) needs
    ``confirm_below_committed``: the refusal names the figures."""
    with unit_of_work(session):
        require(actor, "city", "admin")
        errors: dict[str, list[str]] = {}
        if not 2020 <= year <= 2100:
            errors["year"] = ["年度应为2020至2100之间的年份"]
        for code, (budget_fen, headcount) in values.items():
            name = DISTRICTS.get(code)
            if name is None:
                errors[f"{code}.budget"] = ["未知的区"]
                continue
            if budget_fen is None or not 0 <= budget_fen <= MAX_BUDGET_YUAN * 100:
                errors[f"{code}.budget"] = [f"{name}的年度预算应为0至{MAX_BUDGET_YUAN:,}元"]
            if headcount is None or not 0 <= headcount <= 1_000_000:
                errors[f"{code}.headcount"] = [f"{name}的计划人数应为0至1000000人"]
        if errors:
            raise ValidationFailed("年度计划有误，请修改标出的内容。", errors)
        if not confirm_below_committed:
            floors = {t.district_code: (t.committed_fen, t.paid_fen) for t in session.scalars(
                select(FundTotal).where(FundTotal.year == year, FundTotal.district_code.in_(list(values))))}
            for code, (budget_fen, _) in values.items():
                committed, paid = floors.get(code, (0, 0))
                if budget_fen is not None and budget_fen < committed + paid:
                    errors[f"{code}.budget"] = [
                        f"{DISTRICTS[code]}{year}年预算{fen_to_yuan_str(budget_fen)}元低于已占用{fen_to_yuan_str(committed)}元"
                        f"与已拨付{fen_to_yuan_str(paid)}元之和{fen_to_yuan_str(committed + paid)}元，请确认后再保存"]
            if errors:
                raise ValidationFailed("预算低于已占用和已拨付的资金，请确认。", {**errors, "confirm": ["请勾选确认"]})
        plans = {p.district_code: p for p in session.scalars(
            select(DistrictYearPlan).where(DistrictYearPlan.year == year))}
        for code, (budget_fen, headcount) in values.items():
            plan = plans.get(code)
            if plan is None:
                plan = DistrictYearPlan(district_code=code, year=year)
                session.add(plan)
            plan.budget_fen, plan.planned_headcount = int(budget_fen or 0), int(headcount or 0)
            plan.updated_at = now()
        log.record_actor(session, actor, "year_plan_change", f"year:{year}",
                         {code: {"budget_fen": b, "headcount": h} for code, (b, h) in values.items()})
    return len(values)


# --------------------------------------------------------------------------------------------------
# Enterprise profiles (city staff and admins)


@dataclass
class EnterpriseInput:
    name: str
    credit_code: str
    district_code: str
    size_class: str
    tags: list[str]
    contact_name: str = ""
    contact_phone: str = ""


def list_enterprises(session: Session, actor: Actor, district: str = "", q: str = "", tag: str = ""
                     ) -> list[Enterprise]:
    require(actor, "city", "admin")
    stmt = select(Enterprise)
    if district:
        stmt = stmt.where(Enterprise.district_code == district)
    if q.strip():
        like = f"%{q.strip()}%"
        stmt = stmt.where(Enterprise.name.like(like) | Enterprise.credit_code.like(like))
    rows = list(session.scalars(stmt.order_by(Enterprise.district_code, Enterprise.name)))
    return [e for e in rows if tag in (e.tags or [])] if tag else rows


def get_enterprise(session: Session, actor: Actor, enterprise_id: int) -> Enterprise:
    require(actor, "city", "admin")
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("未找到该企业。")
    return enterprise


def district_assignment_warning(credit_code: str, district_code: str) -> str | None:
    """The warning an admin sees when assigning to a Guangzhou district an enterprise whose credit code
    was issued outside Guangzhou (its area code is not 4401xx): None when the code is in Guangzhou or invalid."""
    code = ids.normalize_credit_code(credit_code)
    if ids.credit_code_error(code):
        return None
    area = ids.credit_code_area(code)
    if ids.is_guangzhou_area(area):
        return None
    district = DISTRICTS.get(district_code, district_code)
    return (f"注意：该企业统一社会信用代码中的登记地行政区划码为{area}，不在广州市（4401），"
            f"现已分配到{district}。请核实企业是否在本市登记或在本区设有分支机构；其备案审核时也会提示。")


def save_enterprise(session: Session, actor: Actor, data: EnterpriseInput, enterprise_id: int | None = None
                    ) -> Enterprise:
    """Create an enterprise or update its profile (size class, tags, contact; name and credit code)."""
    with unit_of_work(session):
        require(actor, "city", "admin")
        enterprise = None
        if enterprise_id is not None:
            enterprise = session.get(Enterprise, enterprise_id)
            if enterprise is None:
                raise NotFound("未找到该企业。")
        errors: dict[str, list[str]] = {}
        name = data.name.strip()
        if not name or len(name) > 200:
            errors["name"] = ["请填写企业名称（200字以内）"]
        code = ids.normalize_credit_code(data.credit_code)
        problem = ids.credit_code_error(code)
        if problem:
            errors["credit_code"] = [problem]
        else:
            other = session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code))
            if other is not None and other != enterprise_id:
                errors["credit_code"] = ["该统一社会信用代码已登记"]
        if data.district_code not in DISTRICTS:
            errors["district_code"] = ["请选择所在区"]
        if data.size_class not in SIZE_CLASSES:
            errors["size_class"] = ["请选择企业规模"]
        bad_tags = [t for t in data.tags if t not in ENTERPRISE_TAGS]
        if bad_tags:
            errors["tags"] = [f"无效的企业标签：{'、'.join(bad_tags)}"]
        if len(data.contact_name.strip()) > 50:
            errors["contact_name"] = ["联系人不能超过50个字"]
        phone = data.contact_phone.strip()
        if phone and (len(phone) > 30 or not all(c.isdigit() or c in "-+ ()转" for c in phone)):
            errors["contact_phone"] = ["联系电话格式不正确"]
        if errors:
            raise ValidationFailed("企业信息有误，请修改标出的内容。", errors)
        if enterprise is None:
            enterprise = Enterprise(credit_code=code, district_code=data.district_code)
            session.add(enterprise)
        enterprise.name, enterprise.credit_code, enterprise.district_code = name, code, data.district_code
        enterprise.size_class = data.size_class
        enterprise.tags = [t for t in ENTERPRISE_TAGS if t in data.tags]
        enterprise.contact_name, enterprise.contact_phone = data.contact_name.strip(), phone
        session.flush()
        log.record_actor(session, actor, "enterprise_change", f"enterprise:{enterprise.id}",
                         {"created": enterprise_id is None, "name": name, "credit_code": code,
                          "district_code": data.district_code, "size_class": data.size_class,
                          "tags": enterprise.tags})
    return enterprise


# --------------------------------------------------------------------------------------------------
# Deployed process versions and instances that need attention (admin only)


@dataclass
class ProcessVersionRow:
    id: int
    process_id: str
    version_hash: str
    created_at: datetime
    instances: int
    open_instances: int
    current: bool


def process_versions(session: Session, actor: Actor) -> list[ProcessVersionRow]:
    """Every stored spec version with how many cases run on it; the one new cases start on is current."""
    require(actor, "admin")
    counts = {r[0]: (int(r[1]), int(r[2] or 0)) for r in session.execute(
        select(WorkflowInstance.spec_version_id, func.count(),
               func.sum(case((WorkflowInstance.completed_at.is_(None), 1), else_=0)))
        .group_by(WorkflowInstance.spec_version_id))}
    engine = get_engine()
    current: set[tuple[str, str]] = set()
    for process_id in session.scalars(select(SpecVersion.process_id).distinct()):
        try:
            current.add((process_id, engine.current(process_id).version_hash))
        except KeyError:  # a process no longer in bpmn/: its versions live on for their cases
            continue
    rows = []
    for spec in session.execute(select(SpecVersion.id, SpecVersion.process_id, SpecVersion.version_hash,
                                       SpecVersion.created_at)
                                .order_by(SpecVersion.process_id, SpecVersion.created_at.desc())):
        total, open_ = counts.get(spec.id, (0, 0))
        rows.append(ProcessVersionRow(spec.id, spec.process_id, spec.version_hash, spec.created_at, total, open_,
                                      (spec.process_id, spec.version_hash) in current))
    return rows


def stuck_instances(session: Session, actor: Actor, at: datetime | None = None, limit: int = 200
                    ) -> list[WorkflowInstance]:
    """Cases the engine cannot move on by itself: status 'waiting' (no ready task, not finished), or a
    timer that fell due more than an hour ago and was not fired (is ``workflows tick`` running?)."""
    require(actor, "admin")
    at = at or now()
    return list(session.scalars(
        select(WorkflowInstance)
        .where((WorkflowInstance.status == "waiting")
               | (WorkflowInstance.next_timer_at < at - STUCK_TIMER_GRACE))
        .order_by(WorkflowInstance.updated_at).limit(limit)))


# --------------------------------------------------------------------------------------------------
# Catalogues (admins edit; city staff read)


def catalogue_view(session: Session, actor: Actor) -> None:
    """City staff and admins may read the catalogues and the policy versions."""
    require(actor, "city", "admin")


def load_shipped_catalogues(session: Session, actor: Actor) -> dict[str, int]:
    """Load the data files shipped in data/ into the empty catalogue tables."""
    with unit_of_work(session):
        require(actor, "admin")
        added = catalogue_admin.ensure_loaded(session, by=actor.name)
        log.record_actor(session, actor, "catalogue_change", "catalogue", {"op": "load_shipped", "added": added})
    return added


def save_occupation(session: Session, actor: Actor, data: catalogue_admin.OccupationInput,
                    original_code: str | None = None) -> str:
    with unit_of_work(session):
        require(actor, "admin")
        code = catalogue_admin.save_occupation(session, data, original_code).code
        log.record_actor(session, actor, "catalogue_change", f"occupation:{code}",
                         {"op": "save", "original": original_code, "name": data.name})
    return code


def save_textbook(session: Session, actor: Actor, data: catalogue_admin.TextbookInput,
                  original_isbn: str | None = None) -> str:
    with unit_of_work(session):
        require(actor, "admin")
        isbn = catalogue_admin.save_textbook(session, data, original_isbn).isbn
        log.record_actor(session, actor, "catalogue_change", f"textbook:{isbn}",
                         {"op": "save", "original": original_isbn, "title": data.title})
    return isbn


def delete_catalogue_entry(session: Session, actor: Actor, name: str, key: str) -> None:
    with unit_of_work(session):
        require(actor, "admin")
        if name not in ("occupation", "textbook") or not catalogue_admin.delete_entry(session, name, key):
            raise NotFound("未找到该条目。")
        log.record_actor(session, actor, "catalogue_change", f"{name}:{key}", {"op": "delete"})


def import_textbooks(session: Session, actor: Actor, data: bytes, replace: bool = False,
                     source: catalogue_admin.Source | None = None) -> int:
    """Excel import of the textbook catalogue: every row or none (SpreadsheetInvalid lists the errors),
    recording its provenance (source document, edition, date; who and when)."""
    with unit_of_work(session):
        require(actor, "admin")
        count = catalogue_excel.import_textbooks_xlsx(session, data, replace=replace, source=source, by=actor.name)
        log.record_actor(session, actor, "catalogue_change", "textbook", {"op": "import", "rows": count,
                                                                          "replace": replace})
    return count


def import_occupations(session: Session, actor: Actor, data: bytes, replace: bool = False,
                       source: catalogue_admin.Source | None = None) -> int:
    """Excel import of the occupation catalogue (every row or none), recording its provenance."""
    with unit_of_work(session):
        require(actor, "admin")
        count = catalogue_excel.import_occupations_xlsx(session, data, replace=replace, source=source,
                                                        by=actor.name)
        log.record_actor(session, actor, "catalogue_change", "occupation", {"op": "import", "rows": count,
                                                                            "replace": replace})
    return count


# --------------------------------------------------------------------------------------------------
# Figures for the admin screens


def overview(session: Session, actor: Actor) -> dict[str, int | None]:
    """Counts on the admin home page (None: not shown to this role)."""
    require(actor, "city", "admin")
    is_admin = actor.role == "admin"
    return {
        "users": int(session.scalar(select(func.count()).select_from(User)) or 0) if is_admin else None,
        "enterprises": int(session.scalar(select(func.count()).select_from(Enterprise)) or 0),
        "occupations": len(catalogue_reads.occupations(session)),
        "textbooks": len(catalogue_reads.textbooks(session)),
        "stuck": len(stuck_instances(session, actor)) if is_admin else None,
    }


def enterprise_names(session: Session) -> dict[int, str]:
    """Enterprise id -> 'name（district）' for pickers and lists."""
    return {e.id: f"{e.name}（{DISTRICTS.get(e.district_code, '')}）"
            for e in session.scalars(select(Enterprise).order_by(Enterprise.name))}


def filings_per_policy_version(session: Session, actor: Actor) -> dict[int | None, int]:
    """How many filings were judged by each policy version (None: submitted before any version)."""
    require(actor, "city", "admin")
    return {r[0]: int(r[1]) for r in session.execute(
        select(Filing.policy_version_id, func.count()).where(Filing.submitted_at.is_not(None))
        .group_by(Filing.policy_version_id))}
