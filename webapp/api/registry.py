"""The registry every API endpoint is declared in: one declaration feeds the Flask route, the request
validation and the OpenAPI document, so the three cannot drift apart.

Extension point for features that land later (quarterly plans, semiannual reports, notifications):
write a module under ``webapp/api/`` that registers its component schemas with ``schema(...)`` and its
endpoints with ``webapp.api.core.operation(...)``, add it to ``webapp.api.API_MODULES``, and, if its
cases need a section in ``GET /cases/{id}``, call ``case_section(kind, key, schema_ref, builder)``.
The OpenAPI document and the documentation page pick everything up from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES: tuple[str, ...] = ("enterprise", "district", "city", "admin")
ROLE_LABELS: dict[str, str] = {
    "enterprise": "企业经办人",
    "district": "区人社局审核员",
    "city": "市职业能力建设指导中心",
    "admin": "系统管理员",
}

# Error statuses every operation may answer, with their stable codes.
ERROR_CODES: dict[int, str] = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
}


@dataclass(frozen=True)
class Param:
    """A query or path parameter; ``schema`` is JSON Schema (2020-12, as in OpenAPI 3.1)."""

    name: str
    schema: dict[str, Any]
    description: str
    location: str = "query"  # "query" | "path"
    required: bool = False
    example: Any = None


@dataclass(frozen=True)
class Response:
    """A success response: ``schema`` is a component name (or None for no body); ``media`` lists the
    media types of a binary body (a download) instead of JSON."""

    schema: str | None
    description: str
    media: tuple[str, ...] = ()


@dataclass
class Operation:
    method: str  # GET, POST, PUT, DELETE
    path: str  # OpenAPI path below /api/v1, e.g. "/filings/{id}"
    operation_id: str
    summary: str
    description: str
    tag: str
    roles: tuple[str, ...] | None  # None: public, no token
    params: tuple[Param, ...] = ()
    body: str | None = None  # component schema name of the request body
    body_required: bool = True
    body_media: str = "application/json"
    body_example: dict[str, Any] | None = None
    responses: dict[int, Response] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    max_body: int | None = None  # bytes; None: the API default

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def query_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "query")


OPERATIONS: list[Operation] = []
SCHEMAS: dict[str, dict[str, Any]] = {}
TAGS: dict[str, str] = {}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def schema(name: str, definition: dict[str, Any]) -> dict[str, str]:
    """Register a component schema (JSON Schema 2020-12); returns a $ref to it."""
    if name in SCHEMAS and SCHEMAS[name] != definition:
        raise ValueError(f"API schema {name} registered twice with different content")
    SCHEMAS[name] = definition
    return ref(name)


def tag(name: str, description: str) -> str:
    TAGS.setdefault(name, description)
    return name


def add_operation(op: Operation) -> None:
    for existing in OPERATIONS:
        if (existing.method, existing.path) == (op.method, op.path):
            raise ValueError(f"API operation {op.method} {op.path} declared twice")
    OPERATIONS.append(op)


# --- sections of GET /cases/{id} by case kind --------------------------------------------------------

# kind -> (key in the case object, builder(session, instance, actor) -> JSON-ready dict)
CASE_SECTIONS: dict[str, tuple[str, Callable[..., Any]]] = {}
CASE_SECTION_SCHEMAS: dict[str, dict[str, Any]] = {}


def case_section(kind: str, key: str, schema_ref: dict[str, Any], builder: Callable[..., Any]) -> None:
    """Cases of ``kind`` carry ``key`` (built by ``builder``) in ``GET /cases/{id}``; the Case schema
    gets ``key`` as an optional, nullable property."""
    CASE_SECTIONS[kind] = (key, builder)
    CASE_SECTION_SCHEMAS[key] = {"anyOf": [schema_ref, {"type": "null"}]}
