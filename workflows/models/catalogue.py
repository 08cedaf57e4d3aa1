"""Reference data kept by admins: the occupation and textbook catalogues and the versioned policy
parameters (SPEC R2-R5, R9).

Catalogue rows are plain reference data (edited in place; filings copy the occupation name and the
textbook title when saved). Policy versions are append-only: a filing stores the id of the version it
was judged by, so a row is never updated once written.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false as sql_false

from workflows.db import Base, UTCDateTime, utcnow


class Occupation(Base):
    """An occupation (职业工种) of the national classification, with what a job post may be called."""

    __tablename__ = "occupation"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Catalogue order (as imported; entries added later go last).
    seq: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    job_posts: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Skill levels that may be trained (5 = 五级/初级工 ... 1 = 一级/高级技师), highest number first.
    levels: Mapped[list[int]] = mapped_column(JSON, default=list)
    # On the shortage list (紧缺急需): 三级 and above are subsidised at the uplifted rate.
    shortage: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Textbook(Base):
    """An entry of the national vocational-training planning textbook catalogue; ISBN-13, compact."""

    __tablename__ = "textbook"

    isbn: Mapped[str] = mapped_column(String(13), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    publisher: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(30))
    occupation_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CatalogueRevision(Base):
    """One row per catalogue ('occupation', 'textbook'): a random token replaced by every change, so
    each process can keep the catalogue in memory and reload it when the token differs."""

    __tablename__ = "catalogue_revision"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyVersion(Base):
    """One published set of policy parameters, in force from ``effective_from`` (China date) until the
    next version's date. Never updated: a change is a new row.

    Shares are basis points (2000 = 20%); rates are integer yuan per person per year keyed
    ``"<apprenticeship type>:<level>"`` (the full table, so a version means the same thing forever).
    """

    __tablename__ = "policy_version"
    __table_args__ = (Index("ix_policy_version_effective", "effective_from", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date)
    enterprise_share_bp: Mapped[int] = mapped_column(Integer, default=2000)
    occupation_share_bp: Mapped[int] = mapped_column(Integer, default=3000)
    intermediate_min_bp: Mapped[int] = mapped_column(Integer, default=7000)
    max_period_years: Mapped[int] = mapped_column(Integer, default=2)
    max_period_years_with_reason: Mapped[int] = mapped_column(Integer, default=3)
    resubmit_window_days: Mapped[int] = mapped_column(Integer, default=15)
    resubmit_working_days: Mapped[bool] = mapped_column(Boolean, default=True)
    # The district's review of a filing is due this many working days after it arrives.
    review_window_days: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    max_trainee_age: Mapped[int] = mapped_column(Integer, default=60)
    student_graduation_window_years: Mapped[int] = mapped_column(Integer, default=2)
    student_highest_level: Mapped[int] = mapped_column(Integer, default=3)
    min_hours_per_year: Mapped[int] = mapped_column(Integer, default=600)
    min_class_hours_per_year: Mapped[int] = mapped_column(Integer, default=120)
    # The training project after 备案 (issue 16); server defaults keep the versions published before.
    start_report_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    advance_max_bp: Mapped[int] = mapped_column(Integer, default=4000, server_default="4000")
    notice_working_days: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    refund_months: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    fund_risk_bp: Mapped[int] = mapped_column(Integer, default=9000, server_default="9000")
    rates: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Supporting-document kinds each apprenticeship type must carry at submission (None: the defaults).
    required_attachments: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CatalogueSource(Base):
    """Where a catalogue's rows come from (one row per catalogue: 'occupation', 'textbook'): the source
    document, its edition and date, who imported it and when. ``illustrative`` marks the demo data shipped
    in ``data/`` (not the official catalogue)."""

    __tablename__ = "catalogue_source"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    source_document: Mapped[str] = mapped_column(String(300), default="")
    edition: Mapped[str] = mapped_column(String(100), default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_by_name: Mapped[str] = mapped_column(String(100), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
