"""Health, readiness and metrics for load balancers and monitoring: no sign-in, JSON or Prometheus text."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import text

from webapp.extensions import csrf, db, db_session
from webapp.ops import metrics, schema
from workflows import service

bp = Blueprint("ops", __name__)
csrf.exempt(bp)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """The process is alive and answering (no database: a database outage must not restart every worker)."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    """Ready for traffic: the database answers, its migrations are at head, the upload folder is writable."""
    checks = {"database": _check_database(), "migrations": _check_migrations(), "uploads": _check_uploads()}
    ready = all(check["ok"] for check in checks.values())
    return jsonify({"status": "ready" if ready else "unavailable", "checks": checks}), 200 if ready else 503


@bp.get("/metrics")
def metrics_view():  # type: ignore[no-untyped-def]
    if not metrics.may_read(current_app, request.remote_addr, request.headers.get("Authorization", "")):
        if current_app.config.get("METRICS_TOKEN"):
            return jsonify({"error": {"code": "unauthorized", "message": "需要有效的监控令牌。", "fields": {}}}), 401
        return jsonify({"error": {"code": "forbidden", "message": "仅允许本机读取监控指标。", "fields": {}}}), 403
    try:
        figures: service.OperationsFigures | None = service.operations_figures(db_session())
    except Exception:  # the counters are still worth serving when the database is down
        figures = None
    db.session.rollback()
    body = metrics.render(figures)
    return Response(body, mimetype=None, content_type=metrics.CONTENT_TYPE)


def _check_database() -> dict:
    try:
        db_session().execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as exc:  # any failure means not ready; say which
        db.session.rollback()
        return {"ok": False, "detail": f"数据库不可用：{type(exc).__name__}"}


def _check_migrations() -> dict:
    try:
        current, heads = schema.current_revisions(db.engine), schema.head_revisions()
    except Exception as exc:
        return {"ok": False, "detail": f"无法读取迁移版本：{type(exc).__name__}"}
    if current != heads:
        return {"ok": False, "current": sorted(current), "head": sorted(heads),
                "detail": "数据库结构不是最新版本，请运行 flask --app webapp init-db"}
    return {"ok": True, "current": sorted(current)}


def _check_uploads() -> dict:
    folder = current_app.config["UPLOAD_DIR"]
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
            pass
        return {"ok": True}
    except OSError as exc:
        return {"ok": False, "detail": f"上传目录不可写：{exc.strerror or type(exc).__name__}"}
