"""Tokens: sign in for a bearer token, inspect it, revoke it; administrators revoke a user's tokens."""

from __future__ import annotations

from flask import Response, current_app, request

from webapp.api import serializers
from webapp.api.core import MAX_ID, PASSWORD_CHANGE_REQUIRED, ApiCall, operation
from webapp.api.errors import ApiError, json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.extensions import db_session, limiter
from webapp.models import client_address
from workflows import service
from workflows.models import User

TAG = tag("认证", "获取、查看和撤销访问令牌。令牌默认有效期 8 小时，只以哈希形式保存。")


def lockout() -> service.Lockout:
    return service.Lockout(attempts=int(current_app.config.get("LOGIN_LOCKOUT_ATTEMPTS", 5)),
                           minutes=int(current_app.config.get("LOGIN_LOCKOUT_MINUTES", 15)))


def token_hours() -> float:
    return float(current_app.config.get("API_TOKEN_HOURS", service.TOKEN_DEFAULT_HOURS))


def _per_address() -> str:
    return str(current_app.config.get("API_TOKEN_LIMIT_PER_ADDRESS", "30/minute"))


def _per_username() -> str:
    return str(current_app.config.get("API_TOKEN_LIMIT_PER_USERNAME", "10/minute"))


def _username_key() -> str:
    """Rate-limit key of the account being tried (so spreading guesses over addresses does not help)."""
    body = request.get_json(silent=True)
    name = body.get("username") if isinstance(body, dict) else None
    return "api-token-user:" + (name.strip().lower()[:64] if isinstance(name, str) else "")


@operation(
    "POST", "/auth/token", operation_id="create_token", tag=TAG, roles=None,
    summary="用用户名和密码获取访问令牌",
    description="成功时返回令牌（只返回这一次，请妥善保存）、角色和到期时间；用户名或密码错误返回 401。"
                "连续 5 次（LOGIN_LOCKOUT_ATTEMPTS）登录失败后账号锁定 15 分钟（LOGIN_LOCKOUT_MINUTES），"
                "锁定期间无论密码是否正确均返回 403（account_locked，消息中写明解锁时间），与网页登录共用计数；"
                "须先修改初始密码的账号返回 403（password_change_required）。"
                "同一地址、同一账号的请求次数受限，超过时返回 429。",
    body="TokenRequest", body_example={"username": "ent-440106-1", "password": "********", "name": "人事系统对接"},
    responses={200: Reply("Token", "令牌")}, errors=(401, 403, 429),
    decorators=(limiter.limit(_per_address, methods=["POST"]),
                limiter.limit(_per_username, methods=["POST"], key_func=_username_key)),
)
def create_token(call: ApiCall) -> Response:
    result = service.authenticate(db_session(), call.body["username"], call.body["password"],
                                  address=client_address(), channel="api", lockout=lockout())
    user = result.user
    if user is None:
        if result.problem == "locked":
            raise ApiError(403, result.message, code="account_locked")
        raise ApiError(401, result.message)
    if user.must_change_password:
        raise ApiError(403, PASSWORD_CHANGE_REQUIRED, code="password_change_required")
    secret, token = service.issue_token(db_session(), user, token_hours(), call.body.get("name", ""),
                                        address=client_address())
    return json_response({"token": secret, "token_type": "Bearer", "role": user.role,
                          "expires_at": serializers.iso(token.expires_at), "user": serializers.user(user)})


@operation(
    "GET", "/auth/me", operation_id="get_me", tag=TAG, summary="查看当前令牌对应的用户",
    description="返回令牌所属用户、角色及其范围（所属区、所属企业）和令牌的到期时间。",
    responses={200: Reply("Me", "当前用户与令牌")},
)
def get_me(call: ApiCall) -> Response:
    assert call.user is not None and call.token is not None
    return json_response({"user": serializers.user(call.user),
                          "token": {"name": call.token.name, "created_at": serializers.iso(call.token.created_at),
                                    "expires_at": serializers.iso(call.token.expires_at)}})


@operation(
    "DELETE", "/auth/token", operation_id="revoke_token", tag=TAG, summary="撤销当前令牌（退出）",
    description="撤销本次请求所用的令牌，之后使用该令牌的请求均返回 401。",
    responses={204: Reply(None, "已撤销")},
)
def revoke_token(call: ApiCall) -> Response:
    assert call.token is not None
    service.revoke_token(db_session(), call.token, call.user, address=client_address())
    return current_app.response_class(status=204)


@operation(
    "POST", "/admin/users/{id}/revoke-tokens", operation_id="revoke_user_tokens", tag=TAG, roles=("admin",),
    summary="撤销某用户的全部令牌（管理员）",
    description="例如人员离岗或令牌泄露时使用。仅系统管理员可调用，其他角色返回 404。",
    params=(Param("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "用户编号", location="path",
                  required=True, example=1),),
    responses={200: Reply("Revocation", "撤销结果")},
)
def revoke_user_tokens(call: ApiCall) -> Response:
    user = db_session().get(User, call.path["id"])
    if user is None:
        raise ApiError(404, "未找到该用户。")
    assert call.actor is not None
    count = service.revoke_user_tokens(db_session(), user.id, call.actor)
    return json_response({"user_id": user.id, "revoked": count})
