"""Request validation: JSON bodies and query strings against the operation's JSON Schemas (the same
ones the OpenAPI document publishes), with Chinese messages keyed by field path
(``trainees[0].id_number``). Anything malformed becomes a 422 ``validation_error``, never a 500."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache, lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from webapp.api import registry

# Characters no field may hold: NUL (PostgreSQL text refuses it) and lone surrogates (not encodable).
_FORBIDDEN = re.compile(r"[\x00\ud800-\udfff]")
_TYPE_NAMES = {"string": "字符串", "integer": "整数", "number": "数字", "boolean": "布尔值（true/false）",
               "object": "对象", "array": "数组", "null": "null"}
# Dates are accepted within these years (others are typos, and would overflow the rules' arithmetic).
MIN_YEAR, MAX_YEAR = 1900, 2100


class RequestInvalid(Exception):
    """Raised with field messages; rendered as 422 validation_error."""

    def __init__(self, message: str, fields: dict[str, list[str]]):
        super().__init__(message)
        self.message = message
        self.fields = fields


def field_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date", raises=ValueError)
    def _is_date(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return False
        return MIN_YEAR <= date.fromisoformat(value).year <= MAX_YEAR

    return checker


FORMATS = _format_checker()


@lru_cache(maxsize=1)
def _schema_registry() -> Registry:
    root = {"components": {"schemas": registry.SCHEMAS}}
    return Registry().with_resource("urn:api", Resource.from_contents(root, default_specification=DRAFT202012))


def validator_for(schema: Mapping[str, Any]) -> Draft202012Validator:
    """A validator that resolves ``#/components/schemas/...`` against the registered schemas."""
    wrapped = {"$id": "urn:api-request", **_rebase(schema)}
    return Draft202012Validator(wrapped, registry=_schema_registry(), format_checker=FORMATS)


@cache
def component_validator(name: str) -> Draft202012Validator:
    """The validator of one registered schema (an operation's body), built once: rebasing the refs and
    resolving them anew cost a little on every request. A validator is immutable and may be shared."""
    return validator_for(registry.ref(name))


def _rebase(value: Any) -> Any:
    """Point local component refs at the shared registry resource."""
    if isinstance(value, dict):
        return {k: (("urn:api" + v) if k == "$ref" and isinstance(v, str) and v.startswith("#/") else _rebase(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_rebase(v) for v in value]
    return value


def reset_cache() -> None:
    """Forget compiled schemas (after a module registered more of them)."""
    _schema_registry.cache_clear()
    component_validator.cache_clear()


def _message(error: ValidationError) -> str:
    v, expected = error.validator, error.validator_value
    if v == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        return "类型应为" + "或".join(_TYPE_NAMES.get(n, n) for n in names if n != "null") + \
            ("（可为 null）" if "null" in names and len(names) > 1 else "")
    if v == "maxLength":
        return f"不能超过{expected}个字符"
    if v == "minLength":
        return "不能为空" if expected == 1 else f"至少{expected}个字符"
    if v == "enum":
        return "取值应为以下之一：" + "、".join(json.dumps(x, ensure_ascii=False) for x in expected)
    if v == "const":
        return f"取值应为 {json.dumps(expected, ensure_ascii=False)}"
    if v == "minimum":
        return f"不能小于{expected}"
    if v == "maximum":
        return f"不能大于{expected}"
    if v == "exclusiveMinimum":
        return f"应大于{expected}"
    if v == "maxItems":
        return f"最多{expected}项"
    if v == "minItems":
        return f"至少{expected}项"
    if v == "format" and expected == "date":
        return f"应为 YYYY-MM-DD 格式的有效日期（{MIN_YEAR}—{MAX_YEAR}年）"
    if v == "pattern":
        return "格式不正确"
    return "取值不正确"


def _errors_of(error: ValidationError, fields: dict[str, list[str]]) -> None:
    if error.context and error.validator in ("anyOf", "oneOf"):
        # Report the branch that got furthest (e.g. the object branch of "object or null").
        best = max(error.context, key=lambda e: len(e.absolute_path))
        _errors_of(best, fields)
        return
    base = field_path(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        for name in error.validator_value:
            if name not in instance:
                _add(fields, _join(base, name), "必须填写")
        return
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        for name in instance:
            if name not in known:
                _add(fields, _join(base, str(name)[:100]), "不允许的字段")
        return
    _add(fields, base or "__all__", _message(error))


def _add(fields: dict[str, list[str]], key: str, message: str) -> None:
    messages = fields.setdefault(key, [])
    if message not in messages:
        messages.append(message)


def _forbidden_chars(value: Any, path: list[Any], fields: dict[str, list[str]]) -> None:
    if isinstance(value, str):
        if _FORBIDDEN.search(value):
            _add(fields, field_path(path) or "__all__", "包含不允许的字符")
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and _FORBIDDEN.search(k):
                _add(fields, field_path(path) or "__all__", "包含不允许的字符")
                continue
            _forbidden_chars(v, [*path, k], fields)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _forbidden_chars(v, [*path, i], fields)


def validate(instance: Any, validator: Draft202012Validator,
             message: str = "提交的内容有误，请按字段提示修改。") -> None:
    """Raise RequestInvalid with every problem of ``instance`` by field path."""
    fields: dict[str, list[str]] = {}
    _forbidden_chars(instance, [], fields)
    if not fields:
        for error in validator.iter_errors(instance):
            _errors_of(error, fields)
    if fields:
        raise RequestInvalid(message, dict(sorted(fields.items())))


# --- bodies and query strings -----------------------------------------------------------------------


def parse_json_body(mimetype: str, data: bytes, required: bool) -> Any:
    """The decoded JSON body, or None when it is absent and optional; RequestInvalid otherwise."""
    if not data.strip():
        if required:
            raise RequestInvalid("请求体不能为空，须为 JSON 对象。", {"__all__": ["请求体不能为空"]})
        return None
    if mimetype != "application/json" and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise RequestInvalid("请求体须为 JSON（Content-Type: application/json）。",
                             {"__all__": ["Content-Type 应为 application/json"]})
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RequestInvalid("请求体不是有效的 JSON。", {"__all__": ["请求体不是有效的 JSON"]}) from None
    if not isinstance(value, dict):
        raise RequestInvalid("请求体须为 JSON 对象。", {"__all__": ["请求体须为 JSON 对象"]})
    return value


def parse_query(args: Mapping[str, str], params: tuple[registry.Param, ...]) -> dict[str, Any]:
    """Declared query parameters, converted to their schema types and validated (others are ignored)."""
    values: dict[str, Any] = {}
    fields: dict[str, list[str]] = {}
    for param in params:
        raw = args.get(param.name)
        if raw is None:
            continue
        kind = param.schema.get("type")
        if kind == "integer":
            if not re.fullmatch(r"-?\d{1,12}", raw.strip()):
                _add(fields, param.name, "类型应为整数")
                continue
            values[param.name] = int(raw)
        elif kind == "boolean":
            if raw not in ("true", "false"):
                _add(fields, param.name, "类型应为布尔值（true/false）")
                continue
            values[param.name] = raw == "true"
        else:
            values[param.name] = raw
    if fields:
        raise RequestInvalid("查询参数有误。", fields)
    schema = {"type": "object", "properties": {p.name: p.schema for p in params},
              "required": [p.name for p in params if p.required]}
    validate(values, validator_for(schema), "查询参数有误。")
    return values


def iso_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
