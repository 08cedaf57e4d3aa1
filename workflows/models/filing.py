"""The content of a training filing (培训备案): the form the enterprise fills, its trainees and courses.

The workflow state holds only decisions and small flags; the filing's content lives here so that the
rules, dashboards and cross-filing checks can query it in SQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base, UTCDateTime, utcnow

APPRENTICESHIP_TYPES: dict[str, str] = {
    "enterprise_apprentice": "企业新型学徒",
    "tech_trainee": "技培生",
    "student_apprentice": "学生学徒",
}

LEVELS: dict[int, str] = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}

INSTITUTION_TYPES: dict[str, str] = {
    "technical_school": "技工院校",
    "vocational_college": "职业院校",
    "training_agency": "职业培训机构",
    "enterprise_center": "企业培训中心",
    "public_base": "公共实训基地",
}

COURSE_CATEGORIES: dict[str, str] = {
    "general_required": "通用素质必修课",
    "general_elective": "通用素质选修课",
    "professional_basic": "专业基础课",
    "professional_skill": "专业技能课",
}


class Filing(Base):
    __tablename__ = "filing"
    __table_args__ = (Index("ix_filing_district_year", "district_code", "plan_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_instance.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    apprenticeship_type: Mapped[str] = mapped_column(String(30), default="enterprise_apprentice")
    occupation_code: Mapped[str] = mapped_column(String(20), default="")
    occupation_name: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[int] = mapped_column(Integer, default=4)
    institution_name: Mapped[str] = mapped_column(String(200), default="")
    institution_type: Mapped[str] = mapped_column(String(30), default="technical_school")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    period_reason: Mapped[str] = mapped_column(Text, default="")
    tutor_enterprise: Mapped[str] = mapped_column(String(100), default="")
    tutor_institution: Mapped[str] = mapped_column(String(100), default="")
    career_plan: Mapped[str] = mapped_column(Text, default="")
    training_goals: Mapped[str] = mapped_column(Text, default="")
    retention_measures: Mapped[str] = mapped_column(Text, default="")
    # Year the filing counts against (the year training starts); used by R3-R5 figures.
    plan_year: Mapped[int | None] = mapped_column(Integer)
    trainee_count: Mapped[int] = mapped_column(Integer, default=0)
    # Requested subsidy in integer fen (never float), computed by the diagram's DMN table at submission.
    subsidy_fen: Mapped[int] = mapped_column(Integer, default=0)
    policy_version_id: Mapped[int | None] = mapped_column(Integer)
    check_results: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # Written with the check results / at each submission, so the inbox filters on them in SQL.
    flag_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # soft flags raised
    submission_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 第N次提交
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    trainees: Mapped[list[Trainee]] = relationship(
        back_populates="filing", cascade="all, delete-orphan", order_by="Trainee.seq"
    )
    courses: Mapped[list[Course]] = relationship(
        back_populates="filing", cascade="all, delete-orphan", order_by="Course.seq"
    )

    @property
    def type_label(self) -> str:
        return APPRENTICESHIP_TYPES.get(self.apprenticeship_type, self.apprenticeship_type)

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, str(self.level))

    @property
    def institution_type_label(self) -> str:
        return INSTITUTION_TYPES.get(self.institution_type, self.institution_type)


class Trainee(Base):
    __tablename__ = "trainee"
    __table_args__ = (Index("ix_trainee_id_number", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    job_post: Mapped[str] = mapped_column(String(100), default="")
    contract_start: Mapped[date | None] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(100), default="")
    graduation_year: Mapped[int | None] = mapped_column(Integer)
    recruited_on: Mapped[date | None] = mapped_column(Date)
    major: Mapped[str] = mapped_column(String(100), default="")
    expected_graduation: Mapped[date | None] = mapped_column(Date)

    filing: Mapped[Filing] = relationship(back_populates="trainees")


class Course(Base):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    hours: Mapped[int] = mapped_column(Integer, default=0)
    textbook_isbn: Mapped[str] = mapped_column(String(20), default="")
    textbook_title: Mapped[str] = mapped_column(String(200), default="")
    off_catalogue_reason: Mapped[str] = mapped_column(Text, default="")

    filing: Mapped[Filing] = relationship(back_populates="courses")

    @property
    def category_label(self) -> str:
        return COURSE_CATEGORIES.get(self.category, self.category)


class FilingRound(Base):
    """What the enterprise submitted in one round (第N次提交), frozen at submission: a resubmission is
    compared field by field with the round before it."""

    __tablename__ = "filing_round"
    __table_args__ = (UniqueConstraint("filing_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
