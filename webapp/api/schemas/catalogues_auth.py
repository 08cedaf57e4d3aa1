"""Component schemas of the catalogues (occupations, textbooks) and of authentication (token requests,
tokens, the current user, revocation).
"""

from __future__ import annotations

from webapp.api.registry import ROLES, ref, schema
from webapp.api.schemas.common import DATETIME, text
from workflows.models.filing import COURSE_CATEGORIES

# --- catalogues ----------------------------------------------------------------------------------------

OCCUPATION = schema("Occupation", {
    "type": "object",
    "required": ["code", "name", "aliases", "job_posts", "levels"],
    "properties": {
        "code": {"type": "string"}, "name": {"type": "string"},
        "aliases": {"type": "array", "items": {"type": "string"}},
        "job_posts": {"type": "array", "items": {"type": "string"}, "description": "常见岗位名称"},
        "levels": {"type": "array", "items": {"type": "integer"}, "description": "可培训的等级"},
    },
})
TEXTBOOK = schema("Textbook", {
    "type": "object",
    "required": ["isbn", "title", "publisher", "category", "occupation_codes"],
    "properties": {
        "isbn": {"type": "string"}, "title": {"type": "string"}, "publisher": {"type": "string"},
        "category": {"type": "string", "enum": list(COURSE_CATEGORIES)},
        "occupation_codes": {"type": "array", "items": {"type": "string"}},
    },
})
OCCUPATION_LIST = schema("OccupationList", {"type": "object", "required": ["items"],
                                            "properties": {"items": {"type": "array", "items": ref("Occupation")}}})
TEXTBOOK_LIST = schema("TextbookList", {"type": "object", "required": ["items"],
                                        "properties": {"items": {"type": "array", "items": ref("Textbook")}}})

# --- auth ----------------------------------------------------------------------------------------------

TOKEN_REQUEST = schema("TokenRequest", {
    "type": "object",
    "additionalProperties": False,
    "required": ["username", "password"],
    "properties": {
        "username": text(64, "用户名", minLength=1),
        "password": text(200, "密码", minLength=1),
        "name": text(100, "令牌用途说明（可选），如“人事系统对接”"),
    },
})

USER = schema("User", {
    "type": "object",
    "required": ["id", "username", "display_name", "role", "role_label", "district_code", "enterprise_id"],
    "properties": {
        "id": {"type": "integer"}, "username": {"type": "string"}, "display_name": {"type": "string"},
        "role": {"type": "string", "enum": list(ROLES)}, "role_label": {"type": "string"},
        "district_code": {"type": ["string", "null"]}, "enterprise_id": {"type": ["integer", "null"]},
    },
})

TOKEN = schema("Token", {
    "type": "object",
    "required": ["token", "token_type", "role", "expires_at", "user"],
    "properties": {
        "token": {"type": "string", "description": "访问令牌，放在 `Authorization: Bearer <token>` 中；只返回这一次"},
        "token_type": {"type": "string", "const": "Bearer"},
        "role": {"type": "string", "enum": list(ROLES)},
        "expires_at": DATETIME,
        "user": ref("User"),
    },
})

ME = schema("Me", {
    "type": "object",
    "required": ["user", "token"],
    "properties": {
        "user": ref("User"),
        "token": {"type": "object", "required": ["name", "created_at", "expires_at"],
                  "properties": {"name": {"type": "string"}, "created_at": DATETIME, "expires_at": DATETIME}},
    },
})

REVOCATION = schema("Revocation", {
    "type": "object",
    "required": ["user_id", "revoked"],
    "properties": {"user_id": {"type": "integer"}, "revoked": {"type": "integer", "description": "撤销的令牌数"}},
})

