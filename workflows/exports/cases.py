"""案件查询 to Excel: the filtered case list (the same filters and scope as the screen and
``GET /api/v1/cases``), optionally with the filings' rosters (ID numbers masked with
``rules.ids.mask_id_number``), written with openpyxl's write-only mode in batches of ``BATCH`` cases
into a temporary file that is streamed out, so memory stays flat however many cases match.

Every cell goes through ``spreadsheets.safe_cell``: text a spreadsheet would read as a formula (starting
with = + - @, a tab or carriage return) is written as an inline text cell, so ``=HYPERLINK(...)`` can
never run in the reader's Excel.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflows import features
from workflows.clock import CHINA_TZ, now
from workflows.dto import Actor
from workflows.models import DISTRICTS, Enterprise, Filing, WorkflowInstance
from workflows.models.filing import APPRENTICESHIP_TYPES, LEVELS
from workflows.queries import CaseFilters, case_query
from workflows.rules.ids import mask_id_number
from workflows.spreadsheets import safe_cell

BATCH = 500
CHUNK = 64 * 1024

CASE_COLUMNS = ("案件编号", "业务类型", "标题", "状态", "所在区", "企业", "学徒类型", "培训职业（工种）", "等级",
                "学员人数", "申请补贴（元）", "提交时间", "最近办理", "办结时间")
ROSTER_COLUMNS = ("案件编号", "企业", "序号", "姓名", "身份证号码（已脱敏）", "工作岗位", "劳动合同起始日")


def _local(value: datetime | None) -> str:
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def _batches(session: Session, actor: Actor, filters: CaseFilters) -> Iterator[list[WorkflowInstance]]:
    """The matching cases, newest first (ties by id: a stable order), ``BATCH`` at a time."""
    base = case_query(actor, filters).order_by(WorkflowInstance.updated_at.desc(), WorkflowInstance.id.desc())
    offset = 0
    while True:
        rows = list(session.scalars(base.offset(offset).limit(BATCH)))
        if not rows:
            return
        yield rows
        offset += len(rows)
        if len(rows) < BATCH:
            return


def write_workbook(session: Session, actor: Actor, filters: CaseFilters, rosters: bool, out: IO[bytes]) -> int:
    """Write the export into ``out``; returns the number of cases."""
    wb = Workbook(write_only=True)
    cases_ws = wb.create_sheet("案件")
    cases_ws.append(list(CASE_COLUMNS))
    roster_ws = wb.create_sheet("学员名单") if rosters else None
    if roster_ws is not None:
        roster_ws.append(list(ROSTER_COLUMNS))
    count = 0
    for batch in _batches(session, actor, filters):
        ids = [i.id for i in batch]
        names = dict(session.execute(select(WorkflowInstance.id, Enterprise.name)
                                     .join(Enterprise, Enterprise.id == WorkflowInstance.enterprise_id)
                                     .where(WorkflowInstance.id.in_(ids))).tuples().all())
        stmt = select(Filing).where(Filing.instance_id.in_(ids))
        if rosters:
            stmt = stmt.options(selectinload(Filing.trainees))
        filings = {f.instance_id: f for f in session.scalars(stmt)}
        for instance in batch:
            f = filings.get(instance.id)
            values = [
                instance.business_key, features.KIND_LABELS.get(instance.kind, instance.kind), instance.title,
                features.status_label(instance.kind, instance.status), DISTRICTS.get(instance.district_code or "", ""),
                names.get(instance.id, ""),
                APPRENTICESHIP_TYPES.get(f.apprenticeship_type, "") if f else "",
                f"{f.occupation_code} {f.occupation_name}".strip() if f else "",
                LEVELS.get(f.level, "") if f else "",
                f.trainee_count if f else None,
                round((f.subsidy_fen or 0) / 100, 2) if f else None,
                _local(f.submitted_at) if f else "", _local(instance.updated_at), _local(instance.completed_at),
            ]
            cases_ws.append([safe_cell(v) for v in values])
            if roster_ws is not None and f is not None:
                for n, t in enumerate(f.trainees, start=1):
                    roster_ws.append([safe_cell(v) for v in (
                        instance.business_key, names.get(instance.id, ""), n, t.name, mask_id_number(t.id_number),
                        t.job_post, t.contract_start.isoformat() if t.contract_start else "")])
            count += 1
    wb.save(out)
    return count


def export_cases(session: Session, actor: Actor, filters: CaseFilters, rosters: bool = False
                 ) -> tuple[str, Iterator[bytes]]:
    """(file name, the workbook's bytes in chunks). The workbook is built into a temporary file first
    (openpyxl writes a zip), then streamed from it and the file removed."""
    spool = tempfile.TemporaryFile()
    write_workbook(session, actor, filters, rosters, spool)
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        try:
            while True:
                data = spool.read(CHUNK)
                if not data:
                    return
                yield data
        finally:
            spool.close()

    stamp = now().astimezone(CHINA_TZ).strftime("%Y%m%d-%H%M")
    return f"案件查询-{stamp}.xlsx", chunks()
