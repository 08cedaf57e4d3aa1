"""The API's error envelope: ``{"error": {"code", "message" (Chinese), "fields": {path: [messages]}}}``.

Registered on the API blueprint (service errors, validation, HTTP errors raised inside API views)
and used by the app-level handlers for /api/ paths that match no route."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import HTTPException

from webapp.api.registry import ERROR_CODES
from webapp.api.validation import RequestInvalid
from workflows.errors import ServiceError

MESSAGES: dict[int, str] = {
    400: "请求有误。",
    401: "缺少或无效的访问令牌，请先获取令牌（POST /api/v1/auth/token）。",
    403: "没有权限访问。",
    404: "未找到该资源，或您无权查看。",
    405: "该地址不支持此请求方式。",
    409: "该事项已被他人处理，请刷新后查看最新状态。",
    413: "请求体过大。",
    415: "请求体须为 JSON（Content-Type: application/json）。",
    422: "提交的内容有误。",
    429: "请求过于频繁，请稍后再试。",
    500: "系统内部错误，请稍后重试或联系管理员。",
}


class ApiError(Exception):
    """An error answered with the envelope; ``status`` picks the code unless ``code`` is given."""

    def __init__(self, status: int, message: str | None = None, fields: dict[str, list[str]] | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message or MESSAGES.get(status, ""))
        self.status = status
        self.message = message or MESSAGES.get(status, "请求有误。")
        self.fields = fields or {}
        self.code = code or ERROR_CODES.get(status, "error")
        self.headers = headers or {}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON with Chinese left readable (UTF-8, not \\u escapes)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(body, status=status, mimetype="application/json", headers=headers)


def envelope(status: int, message: str | None = None, fields: dict[str, list[str]] | None = None,
             code: str | None = None, headers: dict[str, str] | None = None) -> Response:
    payload = {"error": {"code": code or ERROR_CODES.get(status, "error"),
                         "message": message or MESSAGES.get(status, "请求有误。"),
                         "fields": fields or {}}}
    return json_response(payload, status, headers)


def register(bp: Blueprint) -> None:
    @bp.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return envelope(exc.status, exc.message, exc.fields, exc.code, exc.headers)

    @bp.errorhandler(RequestInvalid)
    def _invalid(exc: RequestInvalid) -> Response:
        return envelope(422, exc.message, exc.fields)

    @bp.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        return envelope(exc.status_code, exc.message, exc.fields, exc.code)

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        if status in (400, 415):  # malformed request: the API reports it as a validation error
            return envelope(422, MESSAGES[status], {"__all__": [MESSAGES[status]]})
        headers = {}
        if status == 429:
            retry = getattr(exc, "retry_after", None)
            if retry:
                headers["Retry-After"] = str(retry)
        allowed = getattr(exc, "valid_methods", None)
        if status == 405 and allowed:
            headers["Allow"] = ", ".join(allowed)
        return envelope(status, MESSAGES.get(status), headers=headers)

    @bp.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        current_app.logger.exception("API request failed")
        from webapp.extensions import db_session

        db_session().rollback()
        return envelope(500, code="internal_error")
