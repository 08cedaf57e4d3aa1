"""The Flask application factory."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask, request, url_for
from flask_login import current_user

from config import Config, config_for
from webapp.extensions import csrf, db, limiter, login_manager, migrate
from webapp.ops import logs, metrics, pool
from webapp.ops.schema import include_object, migrations_dir


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the app: config (APP_ENV chooses it when none is given), logging, extensions, engine,
    blueprints, CLI."""
    config_class = config_class or config_for(os.environ.get("APP_ENV"))
    config_class.check()
    logs.configure_logging(config_class.LOG_LEVEL)
    app = Flask(__name__, instance_path=str(_instance_dir()))
    app.config.from_object(config_class)
    # The session cookie lives no longer than a session may (the server checks both limits anyway).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(app.config.get("SESSION_MAX_HOURS", 12)))
    os.makedirs(app.instance_path, exist_ok=True)
    try:
        os.makedirs(app.config["UPLOAD_DIR"], exist_ok=True)
    except OSError:  # /readyz reports it
        pass
    _proxies(app)
    _sqlite_tuning(app)

    db.init_app(app)
    with app.app_context():
        pool.ping_when_idle(db.engine, float(app.config["DB_PING_IDLE_SECONDS"]))
    migrate.init_app(app, db, directory=str(migrations_dir()), include_object=include_object)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)

    from workflows import service

    service.configure(app.config["BPMN_DIR"])
    service.configure_channels(smtp_url=app.config.get("SMTP_URL", ""), smtp_from=app.config.get("SMTP_FROM"),
                               webhook_url=app.config.get("WEBHOOK_URL", ""),
                               webhook_secret=app.config.get("WEBHOOK_SECRET", ""),
                               site_url=app.config.get("SITE_URL", ""))
    service.configure_pii(app.config.get("PII_KEY", ""), app.config.get("PII_KEY_FILE", ""),
                          app.instance_path if app.config.get("ENV_NAME") == "development" else None)

    from webapp import models  # noqa: F401  (registers the user loader)
    from webapp.blueprints import register_blueprints

    register_blueprints(app)

    from webapp.cli import register_cli

    register_cli(app)
    _template_helpers(app)
    from webapp.errors import register_error_handlers

    register_error_handlers(app)
    from webapp.scheduler import start_scheduler

    start_scheduler(app)
    _security_headers(app)
    _calendar_refresh(app)
    _no_store(app)
    app.extensions["request_observer"] = metrics.observe_request
    logs.install_request_logging(app)
    return app


def _calendar_refresh(app: Flask) -> None:
    """Requests see the admins' current holiday calendar: a process checks its stamp (one primary-key query;
    reload on change) at most every CALENDAR_REFRESH_SECONDS (0: before every request)."""
    import time

    from webapp.extensions import db_session
    from workflows import service

    interval = float(app.config.get("CALENDAR_REFRESH_SECONDS", 5) or 0)
    checked = [float("-inf")]  # this app's last check (monotonic seconds)

    @app.before_request
    def refresh_calendar() -> None:
        # Probes and static files never touch the database (/healthz must answer with the database down).
        if request.blueprint == "ops" or request.endpoint == "static":
            return
        at = time.monotonic()
        if interval and at - checked[0] < interval:
            return
        service.refresh_calendar(db_session())
        checked[0] = at


def _proxies(app: Flask) -> None:
    """TRUSTED_PROXIES=n: trust the X-Forwarded-For/-Proto/-Host/-Port that n reverse proxies set, so rate
    limits, logs and /metrics' loopback check see the real client (never set it without a proxy in front)."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]


def _no_store(app: Flask) -> None:
    """Pages a signed-in person reads and every API answer may carry personal data (trainees' names and ID
    numbers): no browser or proxy keeps a copy (``Cache-Control: no-store``). Static assets, and responses
    that chose their own caching (diagram XML, attachments), keep theirs."""

    @app.after_request
    def no_store(response):  # type: ignore[no-untyped-def]
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.endswith(".static") or "Cache-Control" in response.headers:
            return response
        if request.path.startswith("/api/") or current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


# Everything is served from this site (the intranet has no internet): scripts only from our own files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response):  # type: ignore[no-untyped-def]
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # WAL is a property of the file: switch once, not on every new connection (switching while other
        # connections checkpoint can fail with "disk I/O error").
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _sqlite_tuning(app: Flask) -> None:
    """WAL and a busy timeout let several requests share SQLite; foreign keys on."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    options.setdefault("connect_args", {"timeout": 30})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    # One listener for the process, however many apps it creates.
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


# Navigation: (endpoint, label, roles). Items whose endpoint does not exist yet are skipped.
NAV = [
    ("filings.index", "我的备案", {"enterprise"}),
    ("tasks.inbox", "待办", {"enterprise", "district", "city"}),
    ("cases.index", "案件查询", {"district", "city", "admin"}),
    ("plans.index", "季度计划", {"district", "city"}),
    ("reports.index", "半年报告", {"district", "city"}),
    ("reports.gallery", "典型案例", {"district", "city", "admin"}),
    ("dashboard.index", "全市概览", {"city", "admin"}),
    ("dashboard.index", "本区概览", {"district"}),
    ("admin.index", "系统管理", {"admin", "city"}),
    ("api_docs.index", "接口文档", {"admin", "city"}),
]


def _admin_warnings(app: Flask) -> list[str]:
    """What an administrator must know on every page: holiday years not yet confirmed (deadlines use the
    library's estimate) and, outside development, illustrative catalogues in use."""
    if not current_user.is_authenticated or current_user.role != "admin":
        return []
    from webapp.extensions import db_session
    from workflows import service

    session = db_session()
    warnings = []
    years = service.unconfirmed_years(session)
    if years:
        listed = "、".join(str(y) for y in years)
        warnings.append(f"{listed}年的节假日安排尚未确认：按工作日计算的期限暂按日历库的预估计算，"
                        "并已标记待确认；国务院办公厅通知发布后请在“节假日安排”中录入并确认。")
    if app.config.get("ENV_NAME") != "development":
        for label in service.illustrative_in_use(session):
            warnings.append(f"当前使用的{label}是随系统提供的示意数据，不是官方目录：请在“系统管理”中通过 Excel 导入"
                            "官方目录（见 README“随系统提供的数据”）。")
    return warnings


def _template_helpers(app: Flask) -> None:
    from workflows.service import KIND_LABELS, STATUS_LABELS, human_size, status_label

    app.jinja_env.globals["status_label"] = status_label

    @app.context_processor
    def inject_nav() -> dict:
        items = []
        unread = 0
        if current_user.is_authenticated:
            for endpoint, label, roles in NAV:
                if current_user.role in roles and endpoint in app.view_functions:
                    url = url_for(endpoint)
                    items.append({"label": label, "url": url, "badge": None, "endpoint": endpoint,
                                  "active": request.endpoint is not None
                                  and request.endpoint.split(".")[0] == endpoint.split(".")[0]})
            # One item is current: the exact endpoint if listed (半年报告 vs 典型案例 share a blueprint),
            # else the first of the same blueprint.
            # Sub-pages belong to the item whose address is their longest prefix (the gallery's case pages
            # under /reports/gallery highlight 典型案例, not 半年报告).
            exact = [item for item in items if item["endpoint"] == request.endpoint]
            prefixed = sorted((item for item in items
                               if str(item["url"]) != "/" and request.path.startswith(str(item["url"]))),
                              key=lambda item: len(str(item["url"])), reverse=True)
            current = (exact[0] if exact else prefixed[0] if prefixed
                       else next((item for item in items if item["active"]), None))
            for item in items:
                item["active"] = item is current
            counter = app.extensions.get("unread_counter")
            if counter is not None:
                unread = counter(current_user)
        return {"nav_items": items, "unread_count": unread, "config_endpoints": set(app.view_functions),
                "STATUS_LABELS": STATUS_LABELS, "KIND_LABELS": KIND_LABELS, "admin_warnings": _admin_warnings(app)}

    @app.template_filter("dt")
    def format_dt(value) -> str:  # type: ignore[no-untyped-def]
        if value is None:
            return ""
        from zoneinfo import ZoneInfo

        return value.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")

    @app.template_filter("filesize")
    def format_size(size: int | None) -> str:
        return human_size(int(size or 0))

    @app.template_filter("yuan")
    def format_yuan(fen: int | None) -> str:
        return f"{(fen or 0) / 100:,.2f}"

    @app.template_filter("wan")
    def format_wan(fen: int | None) -> str:
        """Money where space is short (summary tiles): 万元 from 10,000 yuan on, else 元."""
        yuan = (fen or 0) / 100
        if abs(yuan) >= 10_000:
            return f"{yuan / 10_000:,.2f}万元"
        return f"{yuan:,.0f}元"


def _instance_dir() -> Path:
    from config import INSTANCE_DIR

    return INSTANCE_DIR
