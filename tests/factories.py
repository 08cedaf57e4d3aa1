"""Test data builders on the real models and the real service layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from workflows import service
from workflows.accounts.users import create_user
from workflows.demo import DEMO_ENTERPRISES, DEMO_PASSWORD, credit_code, ensure_districts, sample_filing
from workflows.dto import Actor, FilingData
from workflows.models import DISTRICTS, DistrictYearPlan, Enterprise, Filing, User


@dataclass
class World:
    users: dict[str, User]

    def actor(self, username: str) -> Actor:
        u = self.users[username]
        return Actor(u.id, u.display_name, u.role, u.district_code, u.enterprise_id)


def make_world(session, budget_fen: int = 300_000_000, headcount: int = 400) -> World:  # type: ignore[no-untyped-def]
    ensure_districts(session)
    users: dict[str, User] = {}
    users["admin"] = create_user(session, username="admin", password=DEMO_PASSWORD, display_name="管理员",
                                 role="admin")
    users["city"] = create_user(session, username="city", password=DEMO_PASSWORD, display_name="市中心",
                                role="city")
    for code, name in DISTRICTS.items():
        users[f"review-{code}"] = create_user(session, username=f"review-{code}", password=DEMO_PASSWORD,
                                              display_name=f"{name}审核员", role="district", district_code=code)
    year = date.today().year
    for code in DISTRICTS:
        for y in (year - 1, year, year + 1):
            session.add(DistrictYearPlan(district_code=code, year=y, budget_fen=budget_fen,
                                         planned_headcount=headcount))
    for district, n, name, size, tags in DEMO_ENTERPRISES:
        e = Enterprise(name=name, credit_code=credit_code(district, int(district) * 10 + n),
                       district_code=district, size_class=size, tags=tags)
        session.add(e)
        session.flush()
        users[f"ent-{district}-{n}"] = create_user(
            session, username=f"ent-{district}-{n}", password=DEMO_PASSWORD, display_name=f"{name[:6]}经办人",
            role="enterprise", district_code=district, enterprise_id=e.id)
    session.commit()
    return World(users)


def filing_data(seed: int = 1, **overrides: object) -> FilingData:
    data = sample_filing(seed)
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def submitted_filing(session, world: World, username: str = "ent-440106-1", seed: int = 1) -> Filing:  # type: ignore[no-untyped-def]
    who = world.actor(username)
    filing = service.create_filing(session, who, filing_data(seed))
    service.submit_filing(session, who, filing.id)
    return filing


def task_of(session, filing: Filing):  # type: ignore[no-untyped-def]
    return service.ready_tasks(session, filing.instance_id)[0]


def user(session, username: str) -> User:  # type: ignore[no-untyped-def]
    return session.scalars(select(User).where(User.username == username)).one()
