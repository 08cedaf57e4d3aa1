"""The content of a training filing (培训备案): the form the enterprise fills, its trainees and courses.

The workflow state holds only decisions and small flags; the filing's content lives here so that the
rules, dashboards and cross-filing checks can query it in SQL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base, UTCDateTime, utcnow
from workflows.rules.ids import ATTACHMENT_KINDS, mask_id_number
from workflows.security import pii

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
    __table_args__ = (
        Index("ix_filing_district_year", "district_code", "plan_year"),
        UniqueConstraint("enterprise_id", "creation_token", name="uq_filing_creation_token"),
    )

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
    # The one-time token of the form that created this draft: posting the same form again (Back, Enter,
    # a double click) finds this filing instead of creating another one.
    creation_token: Mapped[str | None] = mapped_column(String(64))
    # The receipt's verification code (secrets.token_urlsafe): GET /verify/<code>, printed as a QR code.
    receipt_code: Mapped[str | None] = mapped_column(String(64), unique=True)

    trainees: Mapped[list[Trainee]] = relationship(
        back_populates="filing", cascade="all, delete-orphan", order_by="Trainee.seq"
    )
    courses: Mapped[list[Course]] = relationship(
        back_populates="filing", cascade="all, delete-orphan", order_by="Course.seq"
    )
    attachments: Mapped[list[FilingAttachment]] = relationship(
        back_populates="filing", cascade="all, delete-orphan", order_by="FilingAttachment.id"
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
    """A trainee of one filing. The resident ID number is never stored in plain text: ``id_number_cipher``
    holds it encrypted (AES-GCM, ``workflows.security.pii``) and ``id_number_index`` its keyed blind index,
    which the cross-filing checks match on. ``id_number`` reads and writes the plain number in memory."""

    __tablename__ = "trainee"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(50))
    id_number_cipher: Mapped[str] = mapped_column(String(200), default="")
    id_number_index: Mapped[str] = mapped_column(String(64), default="", index=True)
    job_post: Mapped[str] = mapped_column(String(100), default="")
    contract_start: Mapped[date | None] = mapped_column(Date)
    # Labour contract end; empty for an open-ended contract (无固定期限劳动合同).
    contract_end: Mapped[date | None] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(100), default="")
    graduation_year: Mapped[int | None] = mapped_column(Integer)
    recruited_on: Mapped[date | None] = mapped_column(Date)
    major: Mapped[str] = mapped_column(String(100), default="")
    expected_graduation: Mapped[date | None] = mapped_column(Date)

    filing: Mapped[Filing] = relationship(back_populates="trainees")

    @property
    def id_number(self) -> str:
        """The plain number (decrypted on each read; show ``id_number_masked`` unless a rule allows more)."""
        return pii.decrypt(self.id_number_cipher) if self.id_number_cipher else ""

    @id_number.setter
    def id_number(self, value: str) -> None:
        self.id_number_cipher = pii.encrypt(value) if value else ""
        self.id_number_index = pii.blind_index(value) if value else ""

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


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


class FilingAttachment(Base):
    """A supporting document of a filing (``ATTACHMENT_KINDS``), stored by ``workflows.uploads``."""

    __tablename__ = "filing_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(String(200), default="")
    format: Mapped[str] = mapped_column(String(10))
    mime: Mapped[str] = mapped_column(String(100))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    thumb_name: Mapped[str | None] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    filing: Mapped[Filing] = relationship(back_populates="attachments")

    @property
    def kind_label(self) -> str:
        return ATTACHMENT_KINDS.get(self.kind, self.kind)

    @property
    def previewable(self) -> bool:
        return self.format in ("jpeg", "png", "webp", "pdf")
