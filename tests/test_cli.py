"""The flask commands named in the README: init-db, seed-demo, workflows validate / tick, and config guards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import Config, TestConfig
from tests.factories import submitted_filing, task_of
from webapp import create_app
from workflows import service
from workflows.models import Filing, User, WorkflowInstance

BPMN = Path(__file__).resolve().parent.parent / "bpmn"


def test_validate_passes_on_the_shipped_diagrams(app):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["workflows", "validate"])
    assert result.exit_code == 0, result.output
    assert "OK training_filing" in result.output


def test_validate_reports_file_and_element_and_fails(tmp_path: Path, app):  # type: ignore[no-untyped-def]
    broken = (BPMN / "training_filing.bpmn").read_text(encoding="utf-8").replace(
        'sourceRef="start" targetRef="fill_filing"', 'sourceRef="start" targetRef="no_such_task"')
    (tmp_path / "training_filing.bpmn").write_text(broken, encoding="utf-8")
    app.config["BPMN_DIR"] = str(tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=["workflows", "validate"])
    finally:
        app.config["BPMN_DIR"] = str(BPMN)
    assert result.exit_code == 1
    assert "training_filing.bpmn" in result.output


def test_tick_now_expires_a_returned_filing(app, session, world):  # type: ignore[no-untyped-def]
    filing = submitted_filing(session, world)
    service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id, "return", "补")
    runner = app.test_cli_runner()
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert runner.invoke(args=["workflows", "tick", "--now", soon]).exit_code == 0
    session.expire_all()
    assert session.get(WorkflowInstance, filing.instance_id).status == "returned"
    later = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    result = runner.invoke(args=["workflows", "tick", "--now", later])
    assert result.exit_code == 0 and "已触发" in result.output, result.output
    session.expire_all()
    assert session.get(WorkflowInstance, filing.instance_id).status == "expired"
    bad = runner.invoke(args=["workflows", "tick", "--now", "next tuesday"])
    assert bad.exit_code != 0 and "ISO-8601" in bad.output


def test_seed_demo_is_idempotent(app, session):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (session.scalar(select(func.count(User.id))), session.scalar(select(func.count(Filing.id))))
    assert counts[0] >= 18 and counts[1] >= 20
    names = set(session.scalars(select(User.username)))
    assert {"review-440106-2", "review-440112-2", "city-2"} <= names  # colleagues for 认领 / 转办
    statuses = set(session.scalars(select(WorkflowInstance.status)))
    assert {"draft", "district_review", "returned", "city_record", "recorded", "rejected", "withdrawn"} <= statuses
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert (session.scalar(select(func.count(User.id))), session.scalar(select(func.count(Filing.id)))) == counts


def test_seed_demo_refused_in_production(app):  # type: ignore[no-untyped-def]
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app.config["ENV_NAME"] = "test"
    assert result.exit_code != 0 and "生产环境" in result.output


def test_production_requires_a_secret_key(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SECRET_KEY", raising=False)

    class Prod(Config):
        ENV_NAME = "production"
        SECRET_KEY = "dev-only-not-secret"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Prod)


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    import importlib

    import config

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI.endswith("x.db")
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(config)
    assert TestConfig.TESTING is True
