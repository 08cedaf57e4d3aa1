"""Building blocks of the API's component schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses them):
string/nullable/choice helpers, dates, the status, kind and district enums, pagination, and the
``Error`` schema every operation answers with.

Registered here: ``Error``. The other schema modules of ``webapp.api.schemas`` (``filings``,
``catalogues_auth``, ``periodic``) build on these.
"""

from __future__ import annotations

import copy
from typing import Any

from webapp.api.registry import ERROR_CODES, ref, schema
from workflows.models import DISTRICTS
from workflows.service import KIND_LABELS, PERIODIC_STATUS_LABELS, STATUS_LABELS


def text(max_length: int, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "description": description, **extra}


def nullable(definition: dict[str, Any]) -> dict[str, Any]:
    out = dict(definition)
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [definition, {"type": "null"}]}


def choices(labels: dict[Any, str]) -> str:
    return "；".join(f"`{k}` {v}" for k, v in labels.items())


DATE = {"type": "string", "format": "date", "description": "日期（YYYY-MM-DD）"}
DATETIME = {"type": "string", "format": "date-time", "description": "时间（ISO 8601，UTC）"}
_RELAX = ("maxLength", "minLength", "pattern", "maxItems", "minItems")


def relaxed(definition: dict[str, Any]) -> dict[str, Any]:
    """A response version of a request schema: same shape, every property present, no input limits
    (records written through the screens are described too)."""
    out = copy.deepcopy(definition)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in _RELAX:
                node.pop(key, None)
            if node.get("type") == "object" and "properties" in node:
                node["required"] = list(node["properties"])
                node.pop("additionalProperties", None)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out)
    return out


# --- errors --------------------------------------------------------------------------------------------

ERROR = schema("Error", {
    "type": "object",
    "description": "所有错误的统一格式。",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "enum": [*ERROR_CODES.values(), "error", "internal_error", "account_locked",
                                                      "password_change_required"],
                     "description": "稳定的错误代码"},
            "message": {"type": "string", "description": "中文说明，可直接展示给用户"},
            "fields": {"type": "object", "description": "字段路径 → 该字段的错误（如 `trainees[0].id_number`）",
                       "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
    }},
})

# --- enums ----------------------------------------------------------------------------------------------

STATUS = {"type": "string", "enum": list(STATUS_LABELS),
          "description": "稳定状态代码：" + choices(STATUS_LABELS)}
KIND = {"type": "string", "enum": list(KIND_LABELS), "description": "案件类型：" + choices(KIND_LABELS)}
DISTRICT = {"type": "string", "enum": list(DISTRICTS), "description": "区划代码：" + choices(DISTRICTS)}

# --- shared by plans, reports and notifications ---------------------------------------------------------

MAX_ID = 2**31 - 1
ROW_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
BINARY = {"type": "string", "format": "binary"}


def page_of(item: str, description: str, **extra: Any) -> dict[str, Any]:
    """A paginated list of ``item`` (component name)."""
    properties = {"items": {"type": "array", "items": ref(item)}, "page": {"type": "integer"},
                  "per_page": {"type": "integer"}, "total": {"type": "integer", "description": "符合条件的总数"},
                  **extra}
    return {"type": "object", "description": description, "required": list(properties), "properties": properties}


def status_of(kind: str) -> dict[str, Any]:
    labels = PERIODIC_STATUS_LABELS[kind]
    return {"type": "string", "enum": list(labels), "description": "状态代码：" + choices(labels)}


PLAN_STATUS = status_of("quarterly_plan")
REPORT_STATUS = status_of("semiannual_report")


def response_object(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    """An object schema with every property required: a response always carries them all."""
    return {"type": "object", "description": description, "required": list(properties), "properties": properties}
