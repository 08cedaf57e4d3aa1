"""`flask backup create / verify / restore` round-trips a seeded system — filings through review, a
semiannual report with uploaded pictures, video and documents — into an empty database and upload folder
(SQLite, and PostgreSQL with pg_dump/pg_restore when TEST_DATABASE_URL is set), and every case, file and
audit row is found again; verify catches a changed, missing or added file; restore refuses a non-empty
database."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from config import TestConfig
from tests.databases import BACKENDS, drop_database, empty_database
from tests.factories import make_world, submitted_filing, task_of
from tests.test_reports_helpers import case_data, open_h1, typical_files
from webapp import create_app
from webapp.extensions import db
from workflows import service, store
from workflows.engine import get_engine
from workflows.models import AuditEvent, WorkflowInstance
from workflows.models.report_models import ReportAttachment
from workflows.reports import editing as report_editing
from workflows.uploads import formats as upload_formats


def app_on(url: str, upload_dir: Path):  # type: ignore[no-untyped-def]
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = str(upload_dir)

    return create_app(Cfg)


def seed(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        upgrade()
        session = db.session()
        world = make_world(session)
        for seed_no in (1, 2):
            filing = submitted_filing(session, world, seed=seed_no)
            service.complete_task(session, world.actor("review-440106"), task_of(session, filing).task_id,
                                  "return", "请补充材料")
        report = open_h1(session)
        report_editing.save_case(session, world.actor(f"review-{report.district_code}"), report.id, None,
                                 case_data(), typical_files(), upload_dir=app.config["UPLOAD_DIR"],
                                 limits=upload_formats.UploadLimits())
        session.commit()
        db.session.remove()


def snapshot(app) -> dict:  # type: ignore[no-untyped-def]
    """Everything the round trip must keep: cases (with their state), audit rows, attachments, files."""
    with app.app_context():
        session = db.session()
        cases = [(i.id, i.kind, i.business_key, i.status, i.version, i.next_timer_at,
                  hashlib.sha256(store.decode_state(i.state_json).encode()).hexdigest())
                 for i in session.scalars(select(WorkflowInstance).order_by(WorkflowInstance.id))]
        for instance in session.scalars(select(WorkflowInstance)):
            store.load_workflow(get_engine(), instance)  # each state still deserializes
        audit = [(a.id, a.instance_id, a.actor_id, a.action, a.task_id, a.comment, a.status_before, a.status_after,
                  a.created_at) for a in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        attachments = [(a.id, a.stored_name, a.sha256, a.size_bytes)
                       for a in session.scalars(select(ReportAttachment).order_by(ReportAttachment.id))]
        db.session.remove()
    root = Path(app.config["UPLOAD_DIR"])
    files = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in root.rglob("*") if p.is_file()}
    return {"cases": cases, "audit": audit, "attachments": attachments, "files": files}


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_round_trip_finds_every_case_file_and_audit_row(backend: str, tmp_path: Path) -> None:
    source_url = empty_database(backend, tmp_path, "bk_src")
    target_url = empty_database(backend, tmp_path, "bk_dst")
    try:
        source = app_on(source_url, tmp_path / "uploads-src")
        seed(source)
        before = snapshot(source)
        assert len(before["cases"]) >= 3 and len(before["audit"]) >= 4 and len(before["attachments"]) == 4
        stored = {name for _id, name, _sha, _size in before["attachments"]}
        assert all(any(path.endswith(name) for path in before["files"]) for name in stored)

        folder = tmp_path / "backup"
        created = source.test_cli_runner().invoke(args=["backup", "create", str(folder)])
        assert created.exit_code == 0 and "备份完成" in created.output, created.output
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["database"]["backend"] == backend
        assert {entry["path"] for entry in manifest["files"]} >= {f"uploads/{p}" for p in before["files"]}
        verified = source.test_cli_runner().invoke(args=["backup", "verify", str(folder)])
        assert verified.exit_code == 0 and "备份完好" in verified.output, verified.output
        again = source.test_cli_runner().invoke(args=["backup", "create", str(folder)])
        assert again.exit_code == 1 and "不是空目录" in again.output

        target = app_on(target_url, tmp_path / "uploads-dst")
        restored = target.test_cli_runner().invoke(args=["backup", "restore", str(folder)])
        assert restored.exit_code == 0 and "恢复完成" in restored.output, restored.output
        assert snapshot(target) == before
        init = target.test_cli_runner().invoke(args=["init-db"])
        assert init.exit_code == 0, init.output

        refused = target.test_cli_runner().invoke(args=["backup", "restore", str(folder)])
        assert refused.exit_code == 1 and "不是空库" in refused.output
    finally:
        drop_database(source_url)
        drop_database(target_url)


def test_verify_catches_changed_missing_and_added_files(tmp_path: Path) -> None:
    url = empty_database("sqlite", tmp_path, "bk_verify")
    app = app_on(url, tmp_path / "uploads")
    seed(app)
    folder = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", "create", str(folder)]).exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    uploads = [entry["path"] for entry in manifest["files"] if entry["path"].startswith("uploads/")]

    changed = tmp_path / "changed"
    shutil.copytree(folder, changed)
    victim = changed / uploads[0]
    victim.write_bytes(victim.read_bytes()[:-1] + bytes([victim.read_bytes()[-1] ^ 1]))
    result = app.test_cli_runner().invoke(args=["backup", "verify", str(changed)])
    assert result.exit_code == 1 and f"校验和不符 {uploads[0]}" in result.output

    missing = tmp_path / "missing"
    shutil.copytree(folder, missing)
    (missing / uploads[1]).unlink()
    (missing / "uploads" / "stray.bin").write_bytes(b"x")
    result = app.test_cli_runner().invoke(args=["backup", "verify", str(missing)])
    assert result.exit_code == 1 and f"缺少文件 {uploads[1]}" in result.output
    assert "清单中没有的文件 uploads/stray.bin" in result.output

    # A broken backup is never restored, not even partly.
    target_uploads = tmp_path / "uploads-dst"
    target = app_on(empty_database("sqlite", tmp_path, "bk_verify_dst"), target_uploads)
    result = target.test_cli_runner().invoke(args=["backup", "restore", str(changed)])
    assert result.exit_code == 1 and "备份校验未通过" in result.output
    assert not any(target_uploads.rglob("*.*"))
