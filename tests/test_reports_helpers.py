"""Builders shared by the report and upload tests: an opened report, a filled-in case, a logged-in
client, and what is on disk under UPLOAD_DIR."""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import test_uploads_samples as samples
from workflows.demo import DEMO_PASSWORD
from workflows.models import WorkflowInstance
from workflows.models.report_models import SemiannualReport
from workflows.reports import editing as report_editing
from workflows.reports import files as report_files
from workflows.reports import opening as report_opening

CST = ZoneInfo("Asia/Shanghai")
H1_END = datetime(2027, 7, 1, 0, 5, tzinfo=CST)  # five minutes into the second half of 2027
DISTRICT = "440112"
OTHER = "440106"
OCCUPATION = "6-18-01-01"


def open_h1(session, district: str = DISTRICT) -> SemiannualReport:  # type: ignore[no-untyped-def]
    """Open the 2027H1 reports the way the scheduler does, and return one district's."""
    report_opening.open_ended_half_year(session, H1_END)
    return session.scalars(select(SemiannualReport).where(
        SemiannualReport.district_code == district, SemiannualReport.year == 2027,
        SemiannualReport.half == 1)).one()


def instance_of(session, report: SemiannualReport) -> WorkflowInstance:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(WorkflowInstance, report.instance_id)


def case_data(title: str = "黄埔区汽车零部件企业学徒培养案例", **overrides: str) -> report_editing.CaseData:
    data = report_editing.CaseData(title=title, enterprise_name="广州黄埔汽车零部件制造有限公司",
                            occupation_code=OCCUPATION, apprenticeship_type="enterprise_apprentice",
                            narrative="企业与技工院校共同制定培养方案。\n\n双导师带教，学徒全部取得中级工证书。")
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def incoming(data: bytes, filename: str, kind: str, mimetype: str | None = None) -> report_files.Incoming:
    return report_files.Incoming(io.BytesIO(data), filename, mimetype, kind)


def typical_files() -> list[report_files.Incoming]:
    return [incoming(samples.picture("JPEG"), "学徒风采.jpg", "picture", "image/jpeg"),
            incoming(samples.mp4(), "实训视频.mp4", "video", "video/mp4"),
            incoming(samples.docx(), "培养方案.docx", "document"),
            incoming(samples.pdf(), "结业证书.pdf", "document", "application/pdf")]


def stored_files(upload_dir: str) -> set[str]:
    """Every file under UPLOAD_DIR (relative paths), the spool folder included."""
    root = Path(upload_dir)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


class OwnContextClient(FlaskClient):
    """Every request in a fresh app context (own ``g`` and db session), as in production; otherwise the
    ``session`` fixture's pushed context would share Flask-Login's cached user between clients."""

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


def login(app: Flask, username: str) -> FlaskClient:
    client = OwnContextClient(app, app.response_class, use_cookies=True)
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def file_tuple(data: bytes, filename: str, content_type: str = "application/octet-stream"
               ) -> tuple[io.BytesIO, str, str]:
    return io.BytesIO(data), filename, content_type


def outside_files(root: str, name: str) -> list[str]:
    """Files called ``name`` anywhere above or beside UPLOAD_DIR (a traversal would put one there)."""
    parent = Path(root).parent
    return [str(p) for p in parent.rglob(name) if not str(p).startswith(root + os.sep)]
