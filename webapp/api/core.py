"""The API blueprint and the ``operation`` decorator every endpoint is declared with.

``operation`` records the endpoint in ``webapp.api.registry`` (for the OpenAPI document) and wraps the
view so that, in this order: the body size is capped, the bearer token is checked (401), the role is
checked (404, like anything out of scope), path and query parameters are validated, and the JSON
body is validated against the declared schema (422 with field paths). The view then receives an
``ApiCall`` and calls the service layer; service errors become the error envelope.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, request
from sqlalchemy.orm import Session

from webapp.api import errors, registry
from webapp.api.errors import ApiError
from webapp.api.registry import ROLES, Operation, Param
from webapp.api.validation import RequestInvalid, component_validator, parse_json_body, parse_query, validate
from webapp.extensions import csrf, db_session
from workflows import service
from workflows.dto import Actor
from workflows.models import ApiToken, User, WorkflowInstance

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens only, never cookies: there is no ambient credential for a cross-site request to ride on.
csrf.exempt(bp)
errors.register(bp)

DEFAULT_MAX_JSON_BYTES = 1024 * 1024
MAX_ID = 2**31 - 1
_FORBIDDEN = re.compile(r"[\x00\ud800-\udfff]")


def id_param(name: str, description: str) -> Param:
    """A required integer path parameter naming a record (``{id}``, ``{case_id}`` ...)."""
    return Param(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, description, location="path",
                 required=True, example=1)


ID_PARAM = id_param("id", "编号")

MAX_PER_PAGE = 100
PAGE = Param("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}, "页码，从 1 开始")
PER_PAGE = Param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
                 f"每页条数（最多 {MAX_PER_PAGE}）")


REVEAL = Param("reveal", {"type": "string", "enum": ["id_numbers"]},
               "`id_numbers`：显示学员的完整身份证号码（仅区人社局审核人员和市指导中心工作人员；每次查看记入安全审计日志）")


def reveal_ids(call: ApiCall, instance: WorkflowInstance) -> bool:
    """``?reveal=id_numbers`` on a filing case: the reveal, logged (Forbidden for roles that may not)."""
    if call.query.get("reveal") != service.ID_REVEAL_PARAM or instance.kind != "filing":
        return False
    service.reveal_id_numbers(db_session(), call.who, instance.id, request.remote_addr or "")
    return True


def no_description(definition: dict[str, Any]) -> dict[str, Any]:
    """A schema reused as a query parameter's, without its own description (the parameter has one)."""
    return {k: v for k, v in definition.items() if k != "description"}


@dataclass
class ApiCall:
    """What a view gets: who calls (None on public endpoints) and the validated input."""

    actor: Actor | None
    user: User | None
    token: ApiToken | None
    body: Any
    query: dict[str, Any] = field(default_factory=dict)
    path: dict[str, Any] = field(default_factory=dict)

    @property
    def who(self) -> Actor:
        assert self.actor is not None
        return self.actor


def page_of(call: ApiCall) -> tuple[int, int]:
    """The list endpoint's ``page`` and ``per_page`` (``PAGE``, ``PER_PAGE``), with their defaults."""
    return call.query.get("page", 1), call.query.get("per_page", 20)


def page_response(items: list[Any], page: int, per_page: int, total: int) -> Response:
    """One page of a list: ``{"items", "page", "per_page", "total"}``."""
    return errors.json_response({"items": items, "page": page, "per_page": per_page, "total": total})


def fresh_session() -> Session:
    """The request's session with everything expired: the use case committed, read things as they are now."""
    session = db_session()
    session.expire_all()
    return session


def max_json_bytes() -> int:
    return int(current_app.config.get("API_MAX_JSON_BYTES", DEFAULT_MAX_JSON_BYTES))


def _unauthorized(message: str | None = None) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})


_PROBLEMS = {
    "expired": "访问令牌已过期，请重新获取令牌。",
    "revoked": "访问令牌已被撤销，请重新获取令牌。",
    "inactive": "该账号已停用。",
}


def authenticate() -> tuple[User, ApiToken]:
    """The user and token of the ``Authorization: Bearer`` header, or 401. Cookies are ignored."""


    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized()
    lookup = service.resolve_token(db_session(), secret.strip())
    if lookup.user is None or lookup.token is None:
        raise _unauthorized(_PROBLEMS.get(lookup.problem))
    if lookup.user.must_change_password:
        raise ApiError(403, PASSWORD_CHANGE_REQUIRED, code="password_change_required")
    return lookup.user, lookup.token


PASSWORD_CHANGE_REQUIRED = "该账号须先修改初始密码：请登录网页版（“修改密码”）设置新密码后再使用接口。"


def _flask_rule(path: str, params: Iterable[Param]) -> str:
    types = {p.name: p.schema.get("type") for p in params}

    def convert(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<int:{name}>" if types.get(name) == "integer" else f"<{name}>"

    return re.sub(r"\{(\w+)\}", convert, path)


def _path_values(op: Operation, values: dict[str, Any]) -> dict[str, Any]:
    """Path parameters outside their schema name nothing that exists: 404, like an unknown id."""
    out = {}
    for param in op.path_params:
        value = values.get(param.name)
        if isinstance(value, int):
            if not param.schema.get("minimum", 1) <= value <= param.schema.get("maximum", MAX_ID):
                raise ApiError(404)
        elif isinstance(value, str):
            if _FORBIDDEN.search(value) or len(value) > param.schema.get("maxLength", 100):
                raise ApiError(404)
        out[param.name] = value
    return out


def _dispatch(op: Operation, view: Callable[[ApiCall], Response], path_values: dict[str, Any]) -> Response:
    limit = op.max_body or max_json_bytes()
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, f"请求体不能超过{limit // 1024}KB。")
    user = token = actor = None
    if op.roles is not None:
        from webapp.models import actor_of

        user, token = authenticate()
        actor = actor_of(user)
        if actor.role not in op.roles:
            raise ApiError(404)
    path = _path_values(op, path_values)
    query = parse_query(request.args, op.query_params)
    body = None
    if op.body is not None:
        if op.body_media == "application/json":
            body = parse_json_body(request.mimetype, request.get_data(cache=True), op.body_required)
        else:  # multipart/form-data: fields validated as strings, files read by the view
            if not request.mimetype.startswith("multipart/"):
                raise RequestInvalid("请求体须为 multipart/form-data。",
                                     {"__all__": ["Content-Type 应为 multipart/form-data"]})
            body = request.form.to_dict()
        if body is not None:
            validate(body, component_validator(op.body))
    return view(ApiCall(actor=actor, user=user, token=token, body=body, query=query, path=path))


def operation(method: str, path: str, *, operation_id: str, summary: str, tag: str, description: str = "",
              roles: tuple[str, ...] | None = ROLES, params: tuple[Param, ...] = (), body: str | None = None,
              body_required: bool = True, body_media: str = "application/json",
              body_example: dict[str, Any] | None = None, responses: dict[int, registry.Response],
              errors: tuple[int, ...] = (), decorators: tuple[Callable[..., Any], ...] = (),
              max_body: int | None = None) -> Callable[[Callable[[ApiCall], Response]], Callable[[ApiCall], Response]]:
    """Declare an API endpoint (see the module docstring). ``path`` is relative to /api/v1 and uses
    OpenAPI braces (``/filings/{id}``); ``responses`` lists the success statuses; the usual error
    statuses (401, 404, 413, 422) are added from what the operation takes."""
    found = set(errors)
    if roles is not None:
        found.update((401, 403))  # 403: the account must change its password first
    if (roles is not None and set(roles) != set(ROLES)) or any(p.location == "path" for p in params):
        found.add(404)
    if body is not None:
        found.update((413, 422))
    if any(p.location == "query" for p in params):
        found.add(422)
    op = Operation(method=method.upper(), path=path, operation_id=operation_id, summary=summary,
                   description=description, tag=tag, roles=roles, params=params, body=body,
                   body_required=body_required, body_media=body_media, body_example=body_example,
                   responses=responses, errors=tuple(sorted(found)), max_body=max_body)

    def decorate(fn: Callable[[ApiCall], Response]) -> Callable[[ApiCall], Response]:
        registry.add_operation(op)

        def view(**values: Any) -> Response:
            return _dispatch(op, fn, values)

        # Flask-Limiter and Flask key views by module and name: keep them unique per endpoint.
        view.__name__ = view.__qualname__ = fn.__name__
        view.__module__ = fn.__module__
        wrapped: Callable[..., Any] = view
        for decorator in reversed(decorators):
            wrapped = decorator(wrapped)
        bp.add_url_rule(_flask_rule(path, op.path_params), endpoint=operation_id, view_func=wrapped,
                        methods=[op.method])
        return fn

    return decorate


@bp.before_request
def _cap_body() -> None:
    """Every API request is capped before anything reads the body (views may allow more)."""
    request.max_content_length = max_json_bytes()
