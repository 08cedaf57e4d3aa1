"""The content of a semiannual experience report (半年经验总结报告, SPEC R10): the summary, typical cases
with their pictures, videos and documents, and publicity items.

The workflow state holds only decisions; the content lives here so the gallery can query it in SQL.
Files are stored outside the static folder under random names (``workflows.uploads``); a row keeps
the original filename for downloads. ``locked`` marks what has been submitted once: it stays for good.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflows.db import Base, UTCDateTime, utcnow
from workflows.models.filing import APPRENTICESHIP_TYPES
from workflows.uploads.formats import KIND_LABELS, human_size

HALF_LABELS: dict[int, str] = {1: "上半年", 2: "下半年"}


class SemiannualReport(Base):
    """One district's report for one half-year (business key ``440112-2027H1``)."""

    __tablename__ = "semiannual_report"
    __table_args__ = (UniqueConstraint("district_code", "year", "half"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("workflow_instance.id"), unique=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    year: Mapped[int] = mapped_column(Integer)
    half: Mapped[int] = mapped_column(Integer)  # 1 = January-June, 2 = July-December
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submissions: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cases: Mapped[list[ReportCase]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportCase.seq")
    publicity: Mapped[list[PublicityItem]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="PublicityItem.seq")

    @property
    def period_key(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def period_label(self) -> str:
        return f"{self.year}年{HALF_LABELS.get(self.half, '')}"

    @property
    def paragraphs(self) -> list[str]:
        """The summary split into paragraphs at blank lines (or single newlines)."""
        return [p.strip() for p in (self.summary or "").replace("\r\n", "\n").split("\n") if p.strip()]


class ReportCase(Base):
    """A typical case (典型案例) in a report; shown in the gallery once the report is accepted."""

    __tablename__ = "report_case"
    __table_args__ = (Index("ix_report_case_gallery", "occupation_code", "apprenticeship_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("semiannual_report.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200), default="")
    enterprise_name: Mapped[str] = mapped_column(String(200), default="")
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    occupation_code: Mapped[str] = mapped_column(String(20), default="")
    occupation_name: Mapped[str] = mapped_column(String(100), default="")
    apprenticeship_type: Mapped[str] = mapped_column(String(30), default="enterprise_apprentice")
    narrative: Mapped[str] = mapped_column(Text, default="")
    excellent: Mapped[bool] = mapped_column(Boolean, default=False)
    excellent_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    excellent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    report: Mapped[SemiannualReport] = relationship(back_populates="cases")
    attachments: Mapped[list[ReportAttachment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="ReportAttachment.id")

    @property
    def type_label(self) -> str:
        return APPRENTICESHIP_TYPES.get(self.apprenticeship_type, self.apprenticeship_type)

    def files(self, kind: str) -> list[ReportAttachment]:
        return [a for a in self.attachments if a.kind == kind]

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in (self.narrative or "").replace("\r\n", "\n").split("\n") if p.strip()]


class PublicityItem(Base):
    """A publicity item (宣传报道): outlet, date, title, and a link or a scanned copy."""

    __tablename__ = "report_publicity"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("semiannual_report.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    outlet: Mapped[str] = mapped_column(String(200), default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str] = mapped_column(String(1000), default="")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[SemiannualReport] = relationship(back_populates="publicity")
    attachments: Mapped[list[ReportAttachment]] = relationship(
        back_populates="publicity", cascade="all, delete-orphan", order_by="ReportAttachment.id")

    @property
    def scan(self) -> ReportAttachment | None:
        return self.attachments[0] if self.attachments else None


class ReportAttachment(Base):
    """A stored file of a case (picture, video, document) or a publicity item's scan."""

    __tablename__ = "report_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("semiannual_report.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("report_case.id", ondelete="CASCADE"), index=True)
    publicity_id: Mapped[int | None] = mapped_column(ForeignKey("report_publicity.id", ondelete="CASCADE"),
                                                     index=True)
    kind: Mapped[str] = mapped_column(String(20))  # picture | video | document
    format: Mapped[str] = mapped_column(String(10))  # jpeg | png | webp | mp4 | pdf | docx
    mime: Mapped[str] = mapped_column(String(100))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    thumb_name: Mapped[str | None] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[ReportCase | None] = relationship(back_populates="attachments")
    publicity: Mapped[PublicityItem | None] = relationship(back_populates="attachments")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def size_label(self) -> str:
        return human_size(self.size_bytes)
