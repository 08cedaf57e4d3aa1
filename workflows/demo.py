"""Demo data: districts, users, enterprises with valid credit codes, year plans and filings in every
status. Idempotent: running it twice changes nothing. Used by `flask seed-demo`, tests and benchmarks."""

from __future__ import annotations

import io
import random
import tempfile
from datetime import date, timedelta

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric, uscc

from workflows import cases, policy, queries
from workflows.accounts.users import create_user, hash_password
from workflows.catalogue import admin as catalogue_admin
from workflows.catalogue import reads as catalogue_reads
from workflows.dto import Actor, CourseData, FilingData, TraineeData
from workflows.filings import attachments as filing_attachments
from workflows.filings import use_cases as filing_cases
from workflows.models import DISTRICTS, District, DistrictYearPlan, Enterprise, Filing, User
from workflows.uploads.formats import UploadLimits
from workflows.workdays import table as workdays_table

DEMO_PASSWORD = "Demo@2026"

DEMO_ENTERPRISES = [
    # (district, n, name, size, tags)
    ("440106", 1, "广州天河智能装备有限公司", "中型", ["专精特新", "制造业"]),
    ("440106", 2, "广州天河云服科技有限公司", "小型", []),
    ("440112", 1, "广州黄埔汽车零部件制造有限公司", "大型", ["链主企业", "制造业"]),
    ("440112", 2, "广州黄埔精密模具有限公司", "小型", ['专精特新"小巨人"', "制造业"]),
    ("440113", 1, "广州番禺珠宝首饰工艺有限公司", "微型", ["制造业"]),
]


def org_code(seed: int) -> str:
    """A 9-character organisation code with its GB 11714 check character."""
    body = f"{seed:08d}"
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(area: str, seed: int) -> str:
    """A valid unified social credit code (GB 32100-2015) for an enterprise registered in ``area``."""
    body = "91" + area + org_code(seed)
    return body + uscc.calc_check_digit(body)


def id_number(area: str, birth: date, seq: int) -> str:
    """A valid resident ID number (GB 11643-1999)."""
    body = f"{area}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def ensure_districts(session: Session) -> None:
    existing = set(session.scalars(select(District.code)))
    for code, name in DISTRICTS.items():
        if code not in existing:
            session.add(District(code=code, name=name))
    session.flush()


def _user(session: Session, username: str, **kwargs: object) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = create_user(session, username=username, password=DEMO_PASSWORD, **kwargs)  # type: ignore[arg-type]
    return user


def sample_filing(enterprise_seed: int, occupation_code: str | None = None, level: int = 4,
                  trainees: int = 3, start: date | None = None) -> FilingData:
    """A complete, valid filing with catalogue data (used by the demo, tests and benchmarks)."""
    occupations = catalogue_reads.occupations()
    code = occupation_code or next(iter(occupations))
    occupation = occupations[code]
    books = catalogue_reads.textbooks()
    required = next(b for b in books.values() if b.category == "general_required")
    skill = next((b for b in books.values() if code in b.occupation_codes), None)
    start = start or date(date.today().year, 3, 1)
    rng = random.Random(enterprise_seed * 1000 + trainees)
    people = []
    for i in range(trainees):
        # Unique per (seed, row): the birth date and sequence encode both, so filings never share a person.
        serial = enterprise_seed * 16 + i
        birth = date(1976, 1, 1) + timedelta(days=serial % 8000)
        people.append(TraineeData(
            name=rng.choice("张王李赵陈刘黄周吴林") + rng.choice(["伟", "芳", "娜", "敏", "静", "强", "磊", "洋"]),
            id_number=id_number("440106", birth, serial // 8000),
            job_post=(occupation.job_posts or (occupation.name,))[0],
            contract_start=date(start.year - 1, 9, 1),
        ))
    # 600 hours in the one training year, 150 of them in class (the policy's default minimums).
    courses = [CourseData(category="general_required", name=required.title, hours=150 if skill else 600,
                          textbook_isbn=required.isbn)]
    if skill is not None:
        courses.append(CourseData(category="professional_skill", name=skill.title, hours=450,
                                  textbook_isbn=skill.isbn))
    return FilingData(
        apprenticeship_type="enterprise_apprentice", occupation_code=code, level=level,
        institution_name="广州市工贸技师学院", institution_type="technical_school",
        period_start=start, period_end=date(start.year + 1, start.month, 1) - timedelta(days=1),
        tutor_enterprise="陈师傅", tutor_institution="李老师", trainees=people, courses=courses,
    )


def seed(session: Session, upload_dir: str | None = None) -> dict[str, int]:
    """Create the demo world once; returns counts of what exists afterwards. Submitted demo filings carry
    the supporting documents the policy requires, stored under ``upload_dir`` (a temporary folder if None)."""
    upload_dir = upload_dir or tempfile.mkdtemp(prefix="demo-uploads-")
    ensure_districts(session)
    catalogue_admin.ensure_loaded(session)  # the shipped catalogues become editable rows (no-op once loaded)
    workdays_table.seed(session)  # the holiday calendar for last year to two years ahead (no-op once held)
    _user(session, "admin", display_name="系统管理员", role="admin")
    _user(session, "city", display_name="市指导中心 王晓楠", role="city")
    _user(session, "city-2", display_name="市指导中心 李文静", role="city")
    for code, name in DISTRICTS.items():
        _user(session, f"review-{code}", display_name=f"{name}审核员", role="district", district_code=code)
    # A second reviewer in 天河 and 黄埔, so the demo shows 认领 and 转办 between colleagues.
    for code, person in (("440106", "陈志强"), ("440112", "林晓燕")):
        _user(session, f"review-{code}-2", display_name=f"{DISTRICTS[code]}审核员 {person}", role="district",
              district_code=code)
    year = date.today().year
    for code in DISTRICTS:
        for y in (year, year + 1):
            if session.scalars(select(DistrictYearPlan).where(
                    DistrictYearPlan.district_code == code, DistrictYearPlan.year == y)).first() is None:
                session.add(DistrictYearPlan(district_code=code, year=y, budget_fen=300_000_000,
                                             planned_headcount=400))
    pending: list[tuple[Actor, Enterprise]] = []
    for district, n, name, size, tags in DEMO_ENTERPRISES:
        username = f"ent-{district}-{n}"
        enterprise = session.scalars(select(Enterprise).where(Enterprise.name == name)).first()
        if enterprise is None:
            enterprise = Enterprise(name=name, credit_code=credit_code(district, int(district) * 10 + n),
                                    district_code=district, size_class=size, tags=tags,
                                    contact_name="张经办", contact_phone="020-83308232")
            session.add(enterprise)
            session.flush()
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = create_user(session, username=username, password=DEMO_PASSWORD,
                               display_name=f"{name[:8]}经办人", role="enterprise",
                               district_code=district, enterprise_id=enterprise.id)
        has_filings = session.scalars(select(Filing.id).where(Filing.enterprise_id == enterprise.id)).first()
        if has_filings is None:
            pending.append((Actor(user.id, user.display_name, "enterprise", district, enterprise.id), enterprise))
    session.commit()
    for actor, enterprise in pending:
        _demo_filings(session, actor, enterprise, upload_dir)
    return {"users": len(session.scalars(select(User.id)).all()),
            "enterprises": len(session.scalars(select(Enterprise.id)).all())}


def demo_document(title: str) -> bytes:
    """A one-page PDF standing in for a scanned supporting document."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=f"Demo document: {title}")
    return bytes(pdf.output())


def _demo_filings(session: Session, actor: Actor, enterprise: Enterprise, upload_dir: str) -> None:
    """One filing per status for this enterprise's clerk, driven through the real service layer."""
    occupations = catalogue_reads.occupations()
    reviewer = session.scalars(select(User).where(User.username == f"review-{enterprise.district_code}")).one()
    city = session.scalars(select(User).where(User.username == "city")).one()
    as_reviewer = Actor(reviewer.id, reviewer.display_name, "district", reviewer.district_code)
    as_city = Actor(city.id, city.display_name, "city")

    def new(i: int, level: int = 4):  # type: ignore[no-untyped-def]
        codes = [code for code, o in occupations.items() if level in o.levels]  # the level must be offered
        data = sample_filing(enterprise.id * 10 + i, codes[(enterprise.id + i) % len(codes)], level)
        filing = filing_cases.create_filing(session, actor, data)
        if i:  # every filing but the draft is submitted: attach what the policy requires
            for kind in policy.in_force(session).required_attachment_kinds(filing.apprenticeship_type):
                filing_attachments.add_attachment(session, actor, filing.id, filing_attachments.IncomingDocument(
                    io.BytesIO(demo_document(kind)), f"{kind}.pdf", "application/pdf", kind),
                    upload_dir=upload_dir, limits=UploadLimits())
        return filing

    def review(filing, decision: str, comment: str = "") -> None:  # type: ignore[no-untyped-def]
        task = queries.ready_tasks(session, filing.instance_id)[0]
        who = as_reviewer if task.role == "district" else as_city
        cases.complete_task(session, who, task.task_id, decision, comment, confirm_mismatches=True)

    new(0)  # draft
    f = new(1)
    filing_cases.submit_filing(session, actor, f.id)  # district_review
    f = new(2, 3)
    filing_cases.submit_filing(session, actor, f.id)
    review(f, "approve")  # city_record
    f = new(3)
    filing_cases.submit_filing(session, actor, f.id)
    review(f, "return", "请补充院校导师的职称信息。")  # returned
    f = new(4, 2)
    filing_cases.submit_filing(session, actor, f.id)
    review(f, "approve")
    review(f, "record")  # recorded
    if enterprise.id % 2 == 1:
        f = new(5, 5)
        filing_cases.submit_filing(session, actor, f.id)
        review(f, "reject", "培训对象岗位与所培训职业不符。")  # rejected
        f = new(6)
        filing_cases.submit_filing(session, actor, f.id)
        filing_cases.withdraw_filing(session, actor, f.id, "企业调整培训计划")  # withdrawn


def reset_passwords(session: Session) -> None:
    """Set every demo user's password back to the demo password."""
    for user in session.scalars(select(User)):
        user.password_hash = hash_password(DEMO_PASSWORD)
    session.commit()
