"""The OpenAPI 3.1 document, built from the registry (``webapp.api.registry``), served at
``/api/v1/openapi.json`` without authentication, and rendered as the documentation page."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from flask import Response

from webapp.api import registry
from webapp.api.core import ApiCall, operation
from webapp.api.errors import MESSAGES, json_response
from webapp.api.registry import ERROR_CODES, ROLE_LABELS, Operation
from webapp.api.registry import Response as Reply

API_VERSION = "1.0.0"
BASE_PATH = "/api/v1"

ERROR_RESPONSES: dict[int, tuple[str, str]] = {
    401: ("Unauthorized", "缺少令牌，或令牌无效、已过期、已撤销"),
    403: ("Forbidden", "在范围内，但调用者的角色不能执行该操作（如系统管理员查看完整身份证号码）；账号须先修改初始密码"
                      "（password_change_required）；账号已锁定（account_locked）"),
    404: ("NotFound", "不存在，或不在调用者的范围内（二者不作区分）"),
    409: ("Conflict", "状态冲突，例如任务已被办理、备案当前状态不能修改"),
    413: ("PayloadTooLarge", "请求体过大"),
    422: ("ValidationError", "请求内容有误；`fields` 按字段路径列出错误"),
    429: ("RateLimited", "请求过于频繁"),
}

DESCRIPTION = """广州市企业新型学徒制培训备案系统的数据接口，供省培训平台、粤政易、统计部门和企业人事系统对接使用。
与页面使用同一套业务规则和权限：企业经办人只能看到本企业的备案，区人社局只能看到本区案件，市职业能力建设指导中心和系统管理员可以看到全部。
超出范围的资源一律返回 404。

认证：先用 `POST /auth/token` 以用户名、密码换取访问令牌，之后每个请求都带上 `Authorization: Bearer <令牌>`。
接口不使用 Cookie。

错误：所有错误都采用统一格式 `{"error": {"code", "message", "fields"}}`，`message` 为中文说明，
`fields` 以字段路径（如 `trainees[0].id_number`）列出各字段的错误。

限制：JSON 请求体不超过 1 MB；获取令牌的请求按来源地址和账号限制频率。"""


def _error_response(status: int) -> dict[str, Any]:
    code = ERROR_CODES[status]
    return {
        "description": ERROR_RESPONSES[status][1],
        "content": {"application/json": {
            "schema": registry.ref("Error"),
            "example": {"error": {"code": code, "message": MESSAGES.get(status, ""),
                                  "fields": {"trainees[0].id_number": ["身份证号码校验位不正确"]}
                                  if status == 422 else {}}},
        }},
    }


def _parameter(param: registry.Param) -> dict[str, Any]:
    out: dict[str, Any] = {"name": param.name, "in": param.location, "required": param.required,
                           "description": param.description, "schema": param.schema}
    if param.example is not None:
        out["example"] = param.example
    return out


def _operation(op: Operation) -> dict[str, Any]:
    roles = op.roles
    who = "公开，无需令牌" if roles is None else "、".join(ROLE_LABELS[r] for r in roles)
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "description": (op.description + "\n\n" if op.description else "") + f"可调用角色：{who}。",
        "tags": [op.tag],
        "x-roles": list(roles) if roles is not None else [],
    }
    if roles is None:
        out["security"] = []
    if op.params:
        out["parameters"] = [_parameter(p) for p in op.params]
    if op.body is not None:
        media: dict[str, Any] = {"schema": registry.ref(op.body)}
        if op.body_example is not None:
            media["example"] = op.body_example
        out["requestBody"] = {"required": op.body_required, "content": {op.body_media: media}}
    responses: dict[str, Any] = {}
    for status, reply in sorted(op.responses.items()):
        entry: dict[str, Any] = {"description": reply.description}
        if reply.media:  # a file download: the body is the file itself
            entry["content"] = {media: {} for media in reply.media}
        elif reply.schema is not None:
            entry["content"] = {"application/json": {"schema": registry.ref(reply.schema)}}
        responses[str(status)] = entry
    for status in op.errors:
        responses[str(status)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
    out["responses"] = responses
    return out


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in registry.OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    used_tags = {op.tag for op in registry.OPERATIONS}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": "广州市企业新型学徒制培训备案系统 API", "version": API_VERSION,
                 "description": DESCRIPTION},
        "servers": [{"url": BASE_PATH}],
        "tags": [{"name": name, "description": text} for name, text in registry.TAGS.items() if name in used_tags],
        "security": [{"bearerAuth": []}],
        "paths": paths,  # in declaration order, which groups each tag's endpoints
        "components": {
            "schemas": dict(sorted(registry.SCHEMAS.items())),
            "responses": {name: _error_response(status) for status, (name, _) in ERROR_RESPONSES.items()},
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "POST /auth/token 换取的访问令牌，默认 8 小时有效"}},
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI document (a fresh copy; built once per process)."""
    return copy.deepcopy(_document())


def reset_cache() -> None:
    _document.cache_clear()


@operation(
    "GET", "/openapi.json", operation_id="get_openapi", tag=registry.tag("文档", "本接口的 OpenAPI 3.1 描述文档。"),
    roles=None, summary="OpenAPI 文档", description="本文档（JSON），无需令牌。",
    responses={200: Reply("OpenApiDocument", "OpenAPI 3.1 文档")},
)
def get_openapi(call: ApiCall) -> Response:
    return json_response(_document())


registry.schema("OpenApiDocument", {"type": "object", "required": ["openapi", "info", "paths"],
                                    "properties": {"openapi": {"type": "string"}}})
