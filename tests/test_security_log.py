"""The security log: what is recorded (who, when, from which address, what), the 安全审计 screen (filters,
SQL paging, admins only) and its Excel export, and the tamper evidence of both logs: `flask audit verify`
names the first row that was changed, deleted or inserted out of order."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from tests.factories import submitted_filing
from tests.test_web_helpers import client_for, login
from tests.test_web_helpers import text as page_text
from workflows import service
from workflows.accounts.admin import catalogues, enterprises, year_plans
from workflows.models import AuditEvent, SecurityChainHead, SecurityEvent, User
from workflows.security import log, verify

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Demo@2026"


def _events(session) -> list[SecurityEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)))


def _verify(app) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


# --------------------------------------------------------------------------------------------------
# What is recorded


def test_sign_ins_tokens_and_account_changes_are_recorded(client, session, world):  # type: ignore[no-untyped-def]
    app = client.application
    c = client_for(app)
    c.post("/login", data={"username": "nobody", "password": "x"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    c.post("/login", data={"username": "city", "password": "wrong"})
    c.post("/login", data={"username": "city", "password": PASSWORD})
    token = c.post("/api/v1/auth/token", json={"username": "city", "password": PASSWORD}).get_json()["token"]
    c.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"})
    c.post("/logout")
    a = login(app, "admin")
    a.post("/admin/users/new", data={"username": "clerk-7", "display_name": "新人", "role": "city",
                                     "password": "Kx7#mQ2vRt9w", "district_code": "", "enterprise_id": ""})
    uid = session.scalars(select(User.id).where(User.username == "clerk-7")).one()
    a.post(f"/admin/users/{uid}/reset-password")
    a.post(f"/admin/users/{uid}/active", data={"active": "0"})
    events = _events(session)
    actions = [e.action for e in events]
    for expected in ("login_failure", "login_success", "token_issue", "token_revoke", "logout", "user_create",
                     "password_reset", "user_deactivate"):
        assert expected in actions, expected
    unknown = events[0]
    assert (unknown.action, unknown.username, unknown.address, unknown.user_id) == (
        "login_failure", "nobody", "10.1.2.3", None)
    assert json.loads(unknown.detail)["reason"] == "unknown"
    created = next(e for e in events if e.action == "user_create")
    assert created.username == "admin" and created.target == f"user:{uid}" and created.address
    assert json.loads(created.detail)["role"] == "city"
    assert "Kx7#mQ2vRt9w" not in " ".join(e.detail for e in events)  # never a password
    assert all(e.created_at is not None for e in events)


def test_policy_catalogue_enterprise_and_year_plan_changes_are_recorded(session, world):  # type: ignore[no-untyped-def]
    root = world.actor("admin")
    data = service.policy_input_from(service.policy_in_force(session))
    data.effective_from = date(2099, 1, 1)
    data.note = "测试"
    service.add_policy_version(session, root, data)
    enterprise = world.users["ent-440106-1"].enterprise
    enterprises.save_enterprise(session, root, enterprises.EnterpriseInput(
        name=enterprise.name + "（新）", credit_code=enterprise.credit_code, district_code=enterprise.district_code,
        size_class=enterprise.size_class, tags=list(enterprise.tags)), enterprise.id)
    year_plans.save_year_plans(session, root, 2027, {"440106": (100_00, 10)})
    catalogues.load_shipped_catalogues(session, root)
    actions = [e.action for e in _events(session)]
    for expected in ("policy_change", "enterprise_change", "year_plan_change", "catalogue_change"):
        assert expected in actions, expected


def test_record_is_the_public_contract(session) -> None:  # type: ignore[no-untyped-def]
    service.security_record(session, "id_reveal", user_id=7, username="review-440106", address="10.0.0.1",
                            target="case:3", detail={"fields": ["id_number"]})
    session.commit()
    (row,) = _events(session)
    assert (row.action, row.user_id, row.username, row.address, row.target) == (
        "id_reveal", 7, "review-440106", "10.0.0.1", "case:3")
    assert row.prev_hash == "" and len(row.row_hash) == 64
    assert session.get(SecurityChainHead, 1).last_hash == row.row_hash


# --------------------------------------------------------------------------------------------------
# The 安全审计 screen and its export


def test_screen_filters_pages_and_is_admin_only(client, session, world):  # type: ignore[no-untyped-def]
    for n in range(60):
        log.record(session, "login_failure", user_id=None, username=f"probe{n % 3}", address="10.9.9.9")
    log.record(session, "export", user_id=1, username="city", address="10.0.0.2", target="plan:1")
    session.commit()
    app = client.application
    assert login(app, "city").get("/admin/security").status_code == 404
    a = login(app, "admin")
    first = a.get("/admin/security")
    assert first.status_code == 200 and "安全审计" in page_text(first)
    import re

    total = int(re.search(r"共 (\d+) 条", page_text(first)).group(1))  # type: ignore[union-attr]
    assert total == 63  # 60 probes, 1 export, the two sign-ins above
    assert 'aria-label="分页"' in first.get_data(as_text=True)
    assert page_text(first).count("probe") == 47  # this page holds the newest 50 rows only
    body = page_text(a.get("/admin/security?username=probe1"))
    assert "共 20 条" in body and "probe2" not in body
    body = page_text(a.get("/admin/security?action=export"))
    assert "共 1 条" in body and "plan:1" in body
    today = date.today().isoformat()
    assert "共 0 条" in page_text(a.get("/admin/security?date_from=2020-01-01&date_to=2020-01-31"))
    assert "共 0 条" not in page_text(a.get(f"/admin/security?date_from={today}&date_to={today}"))
    for bad in ("page=-4", "page=abc", "page=999999999999", "date_from=notadate", "action=nope"):
        assert a.get(f"/admin/security?{bad}").status_code == 200, bad


def test_export_is_excel_with_formula_text_kept_as_text(client, session, world):  # type: ignore[no-untyped-def]
    c = client_for(client.application)
    c.post("/login", data={"username": "=HYPERLINK(\"http://x\")", "password": "x"})
    a = login(client.application, "admin")
    r = a.get("/admin/security/export?action=login_failure")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=False))
    assert rows[0][0].value == "序号"
    cell = next(row[3] for row in rows[1:] if str(row[3].value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # text, never a formula
    assert "export" in [e.action for e in _events(session)]


# --------------------------------------------------------------------------------------------------
# Tamper evidence


def _some_history(client, session, world) -> None:  # type: ignore[no-untyped-def]
    c = client_for(client.application)
    for name in ("city", "admin", "review-440106"):
        c.post("/login", data={"username": name, "password": PASSWORD})
        c.post("/logout")
    submitted_filing(session, world)
    submitted_filing(session, world, seed=2)
    session.commit()


def test_verify_passes_on_an_untouched_database(client, session, world):  # type: ignore[no-untyped-def]
    _some_history(client, session, world)
    code, output = _verify(client.application)
    assert code == 0, output
    assert "校验通过" in output
    assert session.scalars(select(AuditEvent)).first() is not None


@pytest.mark.parametrize("tamper", ["update", "delete_middle", "delete_last", "insert_out_of_order"])
def test_verify_finds_a_tampered_security_row(client, session, world, tamper: str):  # type: ignore[no-untyped-def]
    _some_history(client, session, world)
    ids = [e.id for e in _events(session)]
    victim = ids[2]
    if tamper == "update":
        session.execute(text("UPDATE security_event SET address = '1.1.1.1' WHERE id = :i"), {"i": victim})
        expected = victim
    elif tamper == "delete_middle":
        session.execute(text("DELETE FROM security_event WHERE id = :i"), {"i": victim})
        expected = ids[3]
    elif tamper == "delete_last":
        session.execute(text("DELETE FROM security_event WHERE id = :i"), {"i": ids[-1]})
        expected = None
    else:
        # A row slipped in between two others, copying the hash its predecessor would give it.
        row = session.get(SecurityEvent, ids[3])
        session.execute(text("DELETE FROM security_event WHERE id = :i"), {"i": ids[3]})
        session.execute(text(
            "INSERT INTO security_event (id, created_at, user_id, username, address, action, target, detail, "
            "prev_hash, row_hash) VALUES (:id, :at, NULL, 'ghost', '', 'login_success', '', '{}', :p, :h)"),
            {"id": ids[3], "at": row.created_at, "p": row.prev_hash, "h": row.row_hash})
        expected = ids[3]
    session.commit()
    code, output = _verify(client.application)
    assert code != 0
    assert "security_event" in output
    assert (f"第 {expected} 行" in output) if expected is not None else ("链头" in output)


@pytest.mark.parametrize("tamper", ["update", "delete_middle", "delete_last", "reorder"])
def test_verify_finds_a_tampered_case_audit_row(client, session, world, tamper: str):  # type: ignore[no-untyped-def]
    _some_history(client, session, world)
    rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.instance_id, AuditEvent.id)))
    case_rows = [r for r in rows if r.instance_id == rows[0].instance_id]
    assert len(case_rows) >= 2
    first, second = case_rows[0].id, case_rows[1].id
    if tamper == "update":
        session.execute(text("UPDATE audit_event SET comment = '改过' WHERE id = :i"), {"i": first})
        expected: int | None = first
    elif tamper == "delete_middle":
        session.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": first})
        expected = second
    elif tamper == "delete_last":
        session.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": case_rows[-1].id})
        expected = case_rows[-2].id
    else:
        # Swap the two rows' contents (ids stay): the order of the history changed.
        a, b = (session.get(AuditEvent, first), session.get(AuditEvent, second))
        cols = ("action", "comment", "task_name", "task_id", "status_before", "status_after", "actor_name",
                "prev_hash", "row_hash", "created_at")
        values_a = {c: getattr(a, c) for c in cols}
        values_b = {c: getattr(b, c) for c in cols}
        session.expunge_all()
        sets = ", ".join(f"{c} = :{c}" for c in cols)
        session.execute(text(f"UPDATE audit_event SET {sets} WHERE id = :id"), {**values_b, "id": first})
        session.execute(text(f"UPDATE audit_event SET {sets} WHERE id = :id"), {**values_a, "id": second})
        expected = first
    session.commit()
    code, output = _verify(client.application)
    assert code != 0
    assert "audit_event" in output and f"第 {expected} 行" in output, output


def test_verify_report_counts_both_logs(client, session, world):  # type: ignore[no-untyped-def]
    _some_history(client, session, world)
    report = verify.verify(session)
    assert report.ok and report.security_rows == len(_events(session)) and report.cases == 2


WRITER = """
import sys
from config import TestConfig
from webapp import create_app
from webapp.extensions import db
from workflows.security import log

class C(TestConfig):
    SQLALCHEMY_DATABASE_URI = sys.argv[1]

app = create_app(C)
with app.app_context():
    for n in range(int(sys.argv[3])):
        log.record(db.session, "login_failure", user_id=None, username=sys.argv[2] + str(n), address="127.0.0.1")
        db.session.commit()
print("done")
"""


def test_concurrent_writers_in_two_processes_never_fork_the_chain(app, session, world):  # type: ignore[no-untyped-def]
    session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    import os

    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, f"w{i}-", "40"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and "done" in out, err[-2000:]
    report = verify.verify(session)
    assert report.ok, [str(b) for b in report.broken]
    assert report.security_rows == 80
    assert session.get(SecurityChainHead, 1).count == 80


def test_plan_exports_are_recorded(session, world):  # type: ignore[no-untyped-def]
    name, data = service.export_quarter(session, world.actor("city"), 2027, 1)
    assert data[:2] == b"PK"
    (row,) = [e for e in _events(session) if e.action == "export"]
    assert row.target == "plans:2027Q1" and json.loads(row.detail)["file"] == name


def test_holiday_calendar_changes_and_draft_deletions_are_recorded(app, session, world):  # type: ignore[no-untyped-def]
    """An administrator's change of the working-day calendar, and a clerk deleting a never-submitted draft
    (whose case history goes with it), each leave a security-log row; the chain still verifies."""
    from tests.factories import filing_data
    from workflows.models import WorkflowInstance

    service.save_holiday_year(session, world.actor("admin"), service.HolidayYearInput(
        year=2027, confirmed=True, source_notice="国务院办公厅关于2027年部分节假日安排的通知",
        holidays="2027-04-06 清明节补假", workdays=""))
    clerk = world.actor("ent-440106-1")
    draft = service.create_filing(session, clerk, filing_data(3))
    business_key = session.get(WorkflowInstance, draft.instance_id).business_key
    service.delete_draft(session, clerk, draft.id)
    rows = {e.action: e for e in _events(session)}
    calendar, deleted = rows["calendar_change"], rows["draft_delete"]
    assert calendar.target == "holiday_year:2027" and calendar.user_id == world.users["admin"].id
    assert json.loads(calendar.detail)["status"] == "confirmed" and json.loads(calendar.detail)["holidays"] == 1
    assert deleted.target == f"filing:{draft.id}" and deleted.user_id == world.users["ent-440106-1"].id
    assert json.loads(deleted.detail)["business_key"] == business_key
    assert log.ACTIONS["calendar_change"] == "节假日安排变更" and log.ACTIONS["draft_delete"] == "删除草稿"
    code, output = _verify(app)
    assert code == 0, output


def test_migration_chains_the_audit_rows_that_exist(tmp_path: Path) -> None:
    """Upgrading a database that already holds case history chains it, so `audit verify` passes."""
    from flask_migrate import upgrade

    from config import TestConfig
    from webapp import create_app
    from webapp.extensions import db

    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = type("Cfg", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    migrated = create_app(cfg)
    with migrated.app_context():
        upgrade(revision="d9e1c58d09a5")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO district (code, name) VALUES ('440106', '天河区')"))
            connection.execute(text(
                "INSERT INTO spec_version (id, process_id, version_hash, spec_json, bpmn_xml, created_at) "
                "VALUES (1, 'p', 'h', '{}', '<x/>', '2026-01-01 00:00:00.000000')"))
            for instance in (1, 2):
                connection.execute(text(
                    "INSERT INTO workflow_instance (id, kind, business_key, title, spec_version_id, status, "
                    "current_step, district_code, created_at, updated_at, version, state_json) VALUES "
                    f"({instance}, 'filing', 'F{instance}', '', 1, 'draft', '', '440106', "
                    "'2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', 1, '{}')"))
                for n in range(3):
                    connection.execute(text(
                        "INSERT INTO audit_event (instance_id, actor_id, actor_name, action, task_name, task_id, "
                        "comment, status_before, status_after, created_at) VALUES "
                        f"({instance}, NULL, '系统', 'save', '', '', '第{n}次', 'draft', 'draft', "
                        f"'2026-01-0{n + 1} 08:00:00.123456')"))
        upgrade()
        report = verify.verify(db.session)
        assert report.ok, [str(b) for b in report.broken]
        assert (report.audit_rows, report.cases) == (6, 2)
        db.session.execute(text("UPDATE audit_event SET comment = '改' WHERE id = 2"))
        db.session.commit()
        assert [b.row_id for b in verify.verify(db.session).broken] == [2]
        db.session.remove()
        db.engine.dispose()


def test_nothing_in_the_application_deletes_or_rewrites_log_rows() -> None:
    """Retention (>= 180 days) holds because no code path deletes or updates security_event rows: no
    delete()/update() of the model and no raw SQL naming the table, anywhere in workflows/ or webapp/. (The case
    audit trail is not covered: issue 15 deletes a never-submitted private draft with its history.)"""
    import ast

    offenders = []
    for path in [*(ROOT / "workflows").rglob("*.py"), *(ROOT / "webapp").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("delete", "update")
                    and node.args and isinstance(node.args[0], ast.Name)
                    and node.args[0].id == "SecurityEvent"):
                offenders.append(f"{path}:{node.lineno}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                sql = node.value.lower()
                if any(f"{verb} {table}" in sql for verb in ("delete from", "update", "truncate")
                       for table in ("security_event",)):
                    offenders.append(f"{path}:{node.lineno}")
    assert offenders == []
    assert log.RETENTION_DAYS >= 180
