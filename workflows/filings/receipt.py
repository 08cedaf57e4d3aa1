"""The printable receipt of a filing (备案回执, PDF) and its public verification (GET /verify/<code>).

* A recorded filing prints a 备案回执: the city's title, business key, enterprise and credit code,
  occupation and level, period, institution, trainee count and roster (ID numbers masked with
  ``rules.ids.mask_id_number``), fund plan, the decisions with their dates, and a QR code of the
  verification URL, with the URL printed beside it. Anything not recorded yet prints a clearly marked
  申请表 instead (no QR code: it proves nothing); a closed filing that was never recorded prints its
  申请表 marked with its final status.
* The Chinese text is set in an embedded CJK font (a TrueType collection such as WenQuanYi Micro Hei or
  Noto Sans CJK, installed by ``make fonts``); fpdf2 embeds the subset of glyphs used.
* Electronic seals (电子签章) are not part of this issue: ``render`` takes a ``seal`` hook that receives
  the finished PDF and returns it signed; the default returns it unchanged, and the receipt leaves the
  盖章 box where a seal's appearance goes.
* Verification codes are ``secrets.token_urlsafe`` values stored on the filing (``Filing.receipt_code``);
  the verification page shows the business key, the enterprise's name, the status and the record date,
  nothing personal. Drafts and unknown codes are "not found".
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.cases import unit_of_work
from workflows.dto import Actor
from workflows.errors import NotFound
from workflows.filings import status
from workflows.filings.use_cases import get_filing, new_receipt_code
from workflows.models import AuditEvent, Enterprise, Filing, WorkflowInstance
from workflows.rules.ids import mask_id_number
from workflows.rules.money import period_months

CHINA_TZ = ZoneInfo("Asia/Shanghai")
TITLE_ISSUER = "广州市人力资源和社会保障局"
TITLE_CENTER = "广州市职业能力建设指导中心"
RECEIPT_TITLE = "广州市企业新型学徒制培训备案回执"
APPLICATION_TITLE = "广州市企业新型学徒制培训备案申请表"
# Fonts tried in order when the configuration names none (Debian: fonts-wqy-microhei, fonts-noto-cjk).
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: Noto Sans CJK SC
)
# Audit actions printed as decisions, with their labels.
DECISION_ACTIONS: dict[str, str] = {
    "submit": "企业提交备案", "resubmit": "企业修改后重新提交", "approve": "区人社局审核通过",
    "return": "区人社局退回修改", "reject": "区人社局不予通过", "send_back": "市中心退回区局重新审核",
    "record": "市职业能力建设指导中心予以备案", "withdraw": "企业撤回",
}

Seal = Callable[[bytes], bytes]


def no_seal(pdf: bytes) -> bytes:
    """The default seal hook: the receipt unsigned (电子签章 is a later issue)."""
    return pdf


class FontMissing(RuntimeError):
    """No CJK font is installed (run ``make fonts``)."""


def find_font(configured: str | None = None) -> tuple[str, int]:
    """The CJK font file to embed and its index in the collection."""
    if configured:
        name, _, number = configured.partition("#")
        if not Path(name).is_file():
            raise FontMissing(f"回执字体文件不存在：{name}")
        return name, int(number or 0)
    for path, index in FONT_CANDIDATES:
        if os.path.isfile(path):
            return path, index
    raise FontMissing("未安装中文字体，无法生成回执（请运行 make fonts）。")


@dataclass(frozen=True)
class Decision:
    label: str
    actor_name: str
    comment: str
    at: datetime


@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt prints, read once from the database."""

    filing: Filing
    instance: WorkflowInstance
    enterprise: Enterprise
    decisions: list[Decision]
    recorded_at: datetime | None

    @property
    def is_receipt(self) -> bool:
        return self.instance.status == "recorded"


def _decisions(session: Session, instance_id: int) -> list[Decision]:
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                      AuditEvent.action.in_(DECISION_ACTIONS))
                             .order_by(AuditEvent.created_at, AuditEvent.id))
    return [Decision(DECISION_ACTIONS[e.action], e.actor_name, e.comment, e.created_at) for e in events]


def receipt_data(session: Session, actor: Actor, instance_id: int) -> ReceiptData:
    """The receipt's content for a filing case in the actor's scope (NotFound otherwise). A filing that
    has no verification code yet (filed before receipts existed) gets one here."""
    filing = session.scalars(select(Filing).where(Filing.instance_id == instance_id)).first()
    if filing is None:
        raise NotFound("未找到该备案。")
    filing = get_filing(session, actor, filing.id)
    if filing.receipt_code is None:
        with unit_of_work(session):
            filing.receipt_code = new_receipt_code()
    instance = session.get(WorkflowInstance, instance_id)
    enterprise = session.get(Enterprise, filing.enterprise_id)
    assert instance is not None and enterprise is not None
    decisions = _decisions(session, instance.id)
    recorded = [d.at for d in decisions if d.label == DECISION_ACTIONS["record"]]
    return ReceiptData(filing, instance, enterprise, decisions, recorded[-1] if recorded else None)


def _china(at: datetime) -> str:
    return at.astimezone(CHINA_TZ).strftime("%Y年%m月%d日 %H:%M")


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


class _Receipt(FPDF):
    def __init__(self, font: tuple[str, int], footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("cjk", "", font[0], collection_font_number=font[1])
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"{self._footer_text}　第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
        self.set_text_color(0, 0, 0)


def _rows(pdf: _Receipt, rows: Sequence[tuple[str, str]]) -> None:
    for label, value in rows:
        pdf.set_font("cjk", size=10)
        pdf.set_fill_color(242, 244, 247)
        y = pdf.get_y()
        pdf.multi_cell(38, 7, label, border=1, fill=True, new_x="RIGHT", new_y="TOP")
        pdf.set_xy(pdf.l_margin + 38, y)
        pdf.multi_cell(0, 7, value or "—", border=1, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: _Receipt, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")


def render(data: ReceiptData, verify_url: str | None, *, font: tuple[str, int], generated_at: datetime,
           seal: Seal = no_seal) -> bytes:
    """The PDF: a 备案回执 for a recorded filing (with the QR code of ``verify_url``), else a 申请表."""
    filing, instance, enterprise = data.filing, data.instance, data.enterprise
    receipt = data.is_receipt
    title = RECEIPT_TITLE if receipt else APPLICATION_TITLE
    status_label = status.LABELS.get(instance.status, instance.status)
    pdf = _Receipt(font, f"{instance.business_key} · 打印时间 {_china(generated_at)}")
    pdf.set_title(title)
    pdf.set_author(TITLE_CENTER)
    pdf.set_creator("广州市企业新型学徒制管理系统")
    pdf.add_page()

    pdf.set_font("cjk", size=11)
    pdf.cell(0, 6, f"{TITLE_ISSUER} · {TITLE_CENTER}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    if not receipt:
        pdf.set_text_color(180, 30, 30)
        pdf.set_font("cjk", size=12)
        pdf.cell(0, 8, f"【申请表】本表不是备案回执，不作备案证明使用（当前状态：{status_label}）", align="C",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(2)

    months = period_months(filing.period_start, filing.period_end) if (
        filing.period_start and filing.period_end and filing.period_end > filing.period_start) else None
    _rows(pdf, [
        ("备案编号", instance.business_key),
        ("备案状态", status_label),
        ("备案日期", _china(data.recorded_at) if data.recorded_at else "—"),
        ("企业名称", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("学徒类型", filing.type_label),
        ("培训职业（工种）", f"{filing.occupation_code} {filing.occupation_name}".strip()),
        ("技能等级", filing.level_label),
        ("培训期限", f"{_day(filing.period_start)} 至 {_day(filing.period_end)}"
                     + (f"（{months}个月）" if months else "")),
        ("培训机构", f"{filing.institution_name}（{filing.institution_type_label}）"),
        ("企业导师 / 院校导师", f"{filing.tutor_enterprise} / {filing.tutor_institution}"),
        ("学员人数", f"{len(filing.trainees)} 人"),
        ("资金计划", f"{_yuan(filing.subsidy_fen)} 元"),
    ])

    _heading(pdf, "学员名单")
    pdf.set_font("cjk", size=9)
    widths = (12, 34, 50, 0)
    pdf.set_fill_color(242, 244, 247)
    for width, text in zip(widths, ("序号", "姓名", "身份证号码", "工作岗位"), strict=True):
        pdf.cell(width or pdf.epw - sum(widths), 7, text, border=1, fill=True, align="C")
    pdf.ln()
    for i, trainee in enumerate(filing.trainees, start=1):
        cells = (str(i), trainee.name, mask_id_number(trainee.id_number), trainee.job_post)
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width or pdf.epw - sum(widths), 6.5, text, border=1)
        pdf.ln()

    _heading(pdf, "审核及备案意见")
    pdf.set_font("cjk", size=9)
    if not data.decisions:
        pdf.cell(0, 7, "尚未提交。", new_x="LMARGIN", new_y="NEXT")
    for decision in data.decisions:
        line = f"{_china(decision.at)}　{decision.label}　{decision.actor_name}"
        if decision.comment and decision.comment not in DECISION_ACTIONS.values():
            line += f"　意见：{decision.comment}"
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4)
    top = pdf.get_y()
    if top > pdf.h - 70:
        pdf.add_page()
        top = pdf.get_y()
    if receipt and verify_url:
        qr = segno.make(verify_url, error="m")
        image = io.BytesIO()
        qr.save(image, kind="png", scale=6, border=2)
        image.seek(0)
        pdf.image(image, x=pdf.l_margin, y=top, w=36, h=36)
        pdf.set_xy(pdf.l_margin + 40, top + 2)
        pdf.set_font("cjk", size=10)
        pdf.multi_cell(70, 6, "扫描左侧二维码，或访问下方网址，核验本回执真伪（无需登录）。",
                       new_x="LEFT", new_y="NEXT")
        # The URL in full on one line under the code, so it can be typed (and found by a parser) as printed.
        pdf.set_xy(pdf.l_margin, top + 38)
        pdf.set_font("cjk", size=8)
        pdf.cell(0, 5, f"核验网址：{verify_url}", new_x="LMARGIN", new_y="NEXT")
    # The seal box: where an electronic seal's appearance goes (电子签章, a later issue).
    pdf.set_xy(pdf.w - pdf.r_margin - 56, top)
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(56, 7, f"{TITLE_CENTER}\n（盖章）\n\n{_china(data.recorded_at)[:11] if data.recorded_at else ''}",
                   border=1, align="C", new_x="LMARGIN", new_y="NEXT")
    return seal(bytes(pdf.output()))


@dataclass(frozen=True)
class Verification:
    """What the public verification page shows: nothing personal."""

    business_key: str
    enterprise_name: str
    status: str
    status_label: str
    recorded_at: datetime | None


def verify(session: Session, code: str) -> Verification:
    """The filing a receipt's code belongs to, or NotFound (unknown code, or a private draft)."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        raise NotFound("未找到该回执。")
    filing = session.scalars(select(Filing).where(Filing.receipt_code == code)).first()
    if filing is None or filing.instance_id is None:
        raise NotFound("未找到该回执。")
    instance = session.get(WorkflowInstance, filing.instance_id)
    if instance is None or instance.status == "draft":
        raise NotFound("未找到该回执。")
    enterprise = session.get(Enterprise, filing.enterprise_id)
    recorded = session.scalars(select(AuditEvent.created_at).where(
        AuditEvent.instance_id == instance.id, AuditEvent.action == "record")
        .order_by(AuditEvent.created_at.desc())).first()
    return Verification(instance.business_key, enterprise.name if enterprise else "", instance.status,
                        status.LABELS.get(instance.status, instance.status), recorded)
