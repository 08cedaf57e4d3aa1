"""Error pages in Chinese; service errors map to their HTTP status."""

from __future__ import annotations

from html import escape

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from webapp.extensions import db
from workflows.errors import ServiceError

MESSAGES = {
    400: "请求有误。",
    403: "没有权限访问。",
    404: "页面不存在，或您无权查看。",
    405: "不支持该请求方式。",
    409: "该事项已被他人处理，请刷新后查看最新状态。",
    413: "上传的内容过大。",
    422: "提交的内容有误。",
    429: "操作过于频繁，请稍后再试。",
    500: "系统内部错误，请稍后重试或联系管理员。",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _roll_back() -> None:
    """End the failed transaction first: the error page itself reads the database (the signed-in user, the
    unread count), which a session left mid-transaction by the error would refuse."""
    try:
        db.session.rollback()
    except Exception:  # a dead connection: drop the session altogether
        current_app.logger.exception("rollback before the error page failed")
        db.session.remove()


def _bare_page(status: int, message: str) -> str:
    """The error page without templates or database, for when rendering the real one fails too."""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{status} 出错了</title></head>'
            f'<body><h1>{status}</h1><p>{escape(message)}</p><p><a href="/">返回首页</a></p></body></html>')


def register_error_handlers(app: Flask) -> None:
    def render(status: int, message: str | None = None):  # type: ignore[no-untyped-def]
        message = message or MESSAGES.get(status, "请求有误。")
        if status >= 500:
            _roll_back()
        if _wants_json():
            code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
                    422: "validation_error", 429: "rate_limited"}.get(status, "error")
            return jsonify({"error": {"code": code, "message": message, "fields": {}}}), status
        try:
            return render_template("errors/error.html", status=status, message=message), status
        except Exception:
            app.logger.exception("rendering the %s page failed", status)
            _roll_back()
            return _bare_page(status, message), status, {"Content-Type": "text/html; charset=utf-8"}

    for status in MESSAGES:
        app.register_error_handler(status, lambda exc, s=status: render(s))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):  # type: ignore[no-untyped-def]
        return render(400, "页面已过期或表单校验失败，请刷新页面后重试。")

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):  # type: ignore[no-untyped-def]
        return render(exc.status_code, exc.message)
