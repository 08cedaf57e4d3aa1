"""Error pages in Chinese; service errors map to their HTTP status."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

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


def register_error_handlers(app: Flask) -> None:
    def render(status: int, message: str | None = None):  # type: ignore[no-untyped-def]
        message = message or MESSAGES.get(status, "请求有误。")
        if _wants_json():
            code = {401: "unauthorized", 404: "not_found", 409: "conflict", 422: "validation_error",
                    429: "rate_limited"}.get(status, "error")
            return jsonify({"error": {"code": code, "message": message, "fields": {}}}), status
        return render_template("errors/error.html", status=status, message=message), status

    for status in MESSAGES:
        app.register_error_handler(status, lambda exc, s=status: render(s))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):  # type: ignore[no-untyped-def]
        return render(400, "页面已过期或表单校验失败，请刷新页面后重试。")

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):  # type: ignore[no-untyped-def]
        return render(exc.status_code, exc.message)
