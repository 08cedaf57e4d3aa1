"""Run by tests/test_install.py with the python of a virtualenv that has only the installed wheel and its
locked dependencies, from a folder outside the checkout: create the app, migrate, seed, and fetch every
page without parameters as each role, plus a case's detail page and a vendored static file. Prints one JSON
object with what it saw; any exception fails the test."""

import json
import os
import sys
from pathlib import Path

from flask_migrate import upgrade

import webapp
import workflows
from config import Config
from webapp import create_app
from webapp.extensions import db
from workflows import service

checkout = os.environ["CHECKOUT"]
assert not webapp.__file__.startswith(checkout), webapp.__file__
assert not workflows.__file__.startswith(checkout), workflows.__file__


class Cfg(Config):
    SQLALCHEMY_DATABASE_URI = os.environ["SMOKE_DATABASE_URL"]
    UPLOAD_DIR = os.environ["SMOKE_UPLOAD_DIR"]
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False


app = create_app(Cfg)
seen: dict = {"webapp": webapp.__file__, "bpmn": str(workflows.shipped_dir("bpmn")),
              "data": str(workflows.shipped_dir("data")), "pages": {}}
with app.app_context():
    upgrade()
    counts = service.seed_demo(db.session())
    db.session.commit()
    seen["seeded"] = counts
    from sqlalchemy import select

    from workflows.models import User, WorkflowInstance

    users = {role: db.session.scalars(select(User.username).where(User.role == role).order_by(User.id)).first()
             for role in ("enterprise", "district", "city", "admin")}
    case_id, district = db.session.execute(
        select(WorkflowInstance.id, WorkflowInstance.district_code)
        .where(WorkflowInstance.district_code.is_not(None), WorkflowInstance.status != "draft")  # drafts are private
        .order_by(WorkflowInstance.id)).first()
    users["district"] = db.session.scalars(select(User.username).where(User.role == "district",
                                                                       User.district_code == district)).first()

skip = {"auth.logout", "ops.metrics_view", "static"}
pages = sorted({(rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
                if "GET" in (rule.methods or set()) and not rule.arguments and rule.endpoint not in skip})
errors = []
for role, username in users.items():
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "Demo@2026"})
    assert response.status_code == 302, (role, response.status_code)
    for path, _endpoint in pages:
        status = client.get(path).status_code
        seen["pages"].setdefault(path, {})[role] = status
        if status >= 500:
            errors.append((role, path, status))
    if role in ("district", "city", "admin"):
        status = client.get(f"/cases/{case_id}").status_code
        seen["pages"].setdefault("/cases/<id>", {})[role] = status
        if status != 200:
            errors.append((role, "/cases/<id>", status))
vendor = next(Path(webapp.__file__).parent.joinpath("static", "vendor").rglob("*.js"))
static_path = "/static/" + vendor.relative_to(Path(webapp.__file__).parent / "static").as_posix()
seen["static"] = [static_path, app.test_client().get(static_path).status_code]
seen["errors"] = errors
json.dump(seen, sys.stdout, ensure_ascii=False)
