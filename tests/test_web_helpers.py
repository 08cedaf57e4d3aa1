"""Helpers shared by the web tests (this module holds no tests).

Each request runs in its own application context, as in production. The ``session`` fixture keeps an
app context pushed for the whole test and Flask reuses a pushed context for requests, so without
this ``g`` (Flask-Login caches the signed-in user there) and the scoped database session would be
shared by every client in a test.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from workflows.dto import FilingData
from workflows.models import AuditEvent, Filing, TaskIndex, WorkflowInstance

PASSWORD = "Demo@2026"


class RequestContextClient(FlaskClient):
    """A test client whose every request gets a fresh app context (own ``g``, own db session)."""

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


def client_for(app: Flask) -> FlaskClient:
    return RequestContextClient(app, app.response_class, use_cookies=True)


def login(app: Flask, username: str) -> FlaskClient:
    client = client_for(app)
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str:  # type: ignore[no-untyped-def]
    """The error text rendered next to the input with this id ('' if none)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    return unescape(match.group(1)) if match else ""


def input_value(response, field_id: str) -> str | None:
    """The value attribute of the input with this id (what the user sees in the box)."""
    html = response.get_data(as_text=True)
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else ""


def form_fields(data: FilingData, action: str | None = "save") -> dict[str, str]:
    """The filing form as the browser posts it."""
    def s(value: object) -> str:
        return "" if value is None else str(value)

    out = {
        "apprenticeship_type": data.apprenticeship_type, "occupation_code": data.occupation_code,
        "level": str(data.level), "institution_name": data.institution_name,
        "institution_type": data.institution_type, "period_start": s(data.period_start),
        "period_end": s(data.period_end), "period_reason": data.period_reason,
        "tutor_enterprise": data.tutor_enterprise, "tutor_institution": data.tutor_institution,
        "career_plan": data.career_plan, "training_goals": data.training_goals,
        "retention_measures": data.retention_measures,
    }
    for i, t in enumerate(data.trainees):
        for name in ("name", "id_number", "job_post", "contract_start", "school", "graduation_year",
                     "recruited_on", "major", "expected_graduation"):
            out[f"trainees-{i}-{name}"] = s(getattr(t, name))
    for i, c in enumerate(data.courses):
        for name in ("category", "name", "hours", "textbook_isbn", "off_catalogue_reason"):
            out[f"courses-{i}-{name}"] = s(getattr(c, name))
    if action:
        out[action] = {"save": "保存草稿", "submit": "提交"}[action]
    return out


def fresh(session):  # type: ignore[no-untyped-def]
    """End the test session's transaction so it sees what the requests committed."""
    session.rollback()
    return session


def status_of(session, instance_id: int) -> str:  # type: ignore[no-untyped-def]
    return fresh(session).get(WorkflowInstance, instance_id).status


def actions_of(session, instance_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return list(fresh(session).scalars(
        select(AuditEvent.action).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)))


def ready_task(session, instance_id: int) -> TaskIndex:  # type: ignore[no-untyped-def]
    return fresh(session).scalars(select(TaskIndex).where(TaskIndex.instance_id == instance_id)).one()


def filings_of(session, enterprise_id: int) -> list[Filing]:  # type: ignore[no-untyped-def]
    return list(fresh(session).scalars(select(Filing).where(Filing.enterprise_id == enterprise_id)
                                       .order_by(Filing.id)))


def location(response) -> str:  # type: ignore[no-untyped-def]
    return response.headers.get("Location", "")
