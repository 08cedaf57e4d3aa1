"""The documentation page for integrators (``/api/docs``), rendered on the server from the same
OpenAPI document the API serves: endpoints, parameters, request fields, responses and curl examples."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request
from markupsafe import Markup, escape

from webapp.api.openapi import BASE_PATH, ERROR_RESPONSES, document
from webapp.api.registry import ERROR_CODES, ROLE_LABELS

bp = Blueprint("api_docs", __name__, url_prefix="/api/docs")

_TYPE_NAMES = {"string": "字符串", "integer": "整数", "number": "数字", "boolean": "布尔", "object": "对象",
               "array": "数组", "null": "null"}
_FORMATS = {"date": "日期", "date-time": "时间"}


@bp.app_template_filter("inline_code")
def inline_code(text: str) -> Markup:
    """`x` spans of the OpenAPI descriptions as <code>x</code> (the rest escaped)."""
    parts = str(escape(text)).split("`")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))


def _ref_name(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _type_label(node: dict[str, Any]) -> str:
    name = _ref_name(node)
    if name:
        return name
    if "anyOf" in node:
        kinds = [n for n in node["anyOf"] if n.get("type") != "null"]
        label = " 或 ".join(_type_label(n) for n in kinds)
        return label + ("，可为 null" if len(kinds) < len(node["anyOf"]) else "")
    kind = node.get("type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    nullable = "null" in kinds
    kinds = [k for k in kinds if k and k != "null"]
    if node.get("format") in _FORMATS:
        label = _FORMATS[node["format"]]
    elif "array" in kinds and isinstance(node.get("items"), dict):
        label = f"{_type_label(node['items'])} 的数组"
    else:
        label = " 或 ".join(_TYPE_NAMES.get(k, k) for k in kinds) or "任意"
    return label + ("，可为 null" if nullable else "")


def _constraints(node: dict[str, Any]) -> str:
    parts = []
    if "enum" in node and not str(node.get("description", "")).count("`"):  # choices not already explained
        parts.append("取值：" + "、".join(json.dumps(v, ensure_ascii=False) for v in node["enum"]))
    if "const" in node:
        parts.append(f"固定为 {json.dumps(node['const'], ensure_ascii=False)}")
    if "maxLength" in node:
        parts.append(f"最长 {node['maxLength']} 字")
    if "minLength" in node:
        parts.append("不能为空" if node["minLength"] == 1 else f"至少 {node['minLength']} 字")
    if "pattern" in node:
        parts.append(f"格式 {node['pattern']}")
    if "minimum" in node or "maximum" in node:
        parts.append(f"范围 {node.get('minimum', '')}–{node.get('maximum', '')}")
    if "maxItems" in node:
        parts.append(f"最多 {node['maxItems']} 项")
    return "；".join(parts)


def field_rows(node: dict[str, Any], schemas: dict[str, Any], prefix: str = "", required: bool = True,
               expand_refs: bool = True) -> list[dict[str, Any]]:
    """The fields of a schema as table rows (path, type, required, description, constraints). Nested
    component references are linked, not expanded, except at the top."""
    name = _ref_name(node)
    if name and expand_refs:
        return field_rows(schemas.get(name, {}), schemas, prefix, required, expand_refs=False)
    for branch in node.get("anyOf", []):
        if branch.get("type") != "null" and "properties" in branch and not _ref_name(branch):
            return field_rows(branch, schemas, prefix, required, False)
    rows: list[dict[str, Any]] = []
    props = node.get("properties")
    if isinstance(props, dict) and not name:
        needed = set(node.get("required", []))
        for key, child in props.items():
            path = f"{prefix}.{key}" if prefix else key
            rows.append({"path": path, "type": _type_label(child), "required": key in needed,
                         "description": child.get("description", ""), "constraints": _constraints(child),
                         "ref": _ref_name(child) or _ref_name(child.get("items", {}) or {})})
            items = child.get("items") if isinstance(child.get("items"), dict) else None
            if child.get("type") == "object" or (isinstance(child.get("type"), list) and "properties" in child):
                rows.extend(field_rows(child, schemas, path, False, False))
            elif items is not None and "properties" in items:
                rows.extend(field_rows(items, schemas, path + "[]", False, False))
    return rows


def _curl(base: str, method: str, path: str, op: dict[str, Any]) -> str:
    for param in op.get("parameters", []):
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", str(param.get("example", 1)))
    lines = [f"curl -X {method.upper()} '{base}{path}'"]
    if op.get("security") != []:
        lines.append('  -H "Authorization: Bearer $TOKEN"')
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
    if body is not None:
        lines.append("  -H 'Content-Type: application/json'")
        text = json.dumps(body, ensure_ascii=False)
        lines.append(f"  -d '{text}'" if len(text) <= 160 else "  -d @body.json   # 请求体示例见上")
    return " \\\n".join(lines)


@bp.route("")
def index() -> str:
    doc = document()
    schemas = doc["components"]["schemas"]
    base = request.host_url.rstrip("/") + BASE_PATH
    sections: list[dict[str, Any]] = []
    referenced: list[str] = []
    for tag_info in doc["tags"]:
        ops = []
        for path, methods in doc["paths"].items():
            for method, op in methods.items():
                if tag_info["name"] not in op["tags"]:
                    continue
                content = op.get("requestBody", {}).get("content", {})
                media, body = next(iter(content.items()), (None, None))
                responses = []
                for status, resp in op["responses"].items():
                    if "$ref" in resp:
                        resp = doc["components"]["responses"][resp["$ref"].rsplit("/", 1)[-1]]
                    schema_name = _ref_name(resp.get("content", {}).get("application/json", {}).get("schema", {}))
                    if schema_name and schema_name not in referenced and schema_name != "Error":
                        referenced.append(schema_name)
                    responses.append({"status": status, "description": resp["description"],
                                      "schema": schema_name})
                ops.append({
                    "id": op["operationId"], "method": method.upper(), "path": path,
                    "summary": op["summary"], "description": op.get("description", ""),
                    "roles": [ROLE_LABELS[r] for r in op.get("x-roles", [])], "public": op.get("security") == [],
                    "params": [{**p, "type": _type_label(p["schema"]), "constraints": _constraints(p["schema"]),
                                "default": p["schema"].get("default")} for p in op.get("parameters", [])],
                    "body_media": media, "body_required": op.get("requestBody", {}).get("required", False),
                    "body_rows": field_rows(body["schema"], schemas) if body else [],
                    "body_schema": _ref_name(body["schema"]) if body else None,
                    "example": json.dumps(body["example"], ensure_ascii=False, indent=2)
                    if body and "example" in body else None,
                    "curl": _curl(base, method, path, op), "responses": responses,
                })
        if ops:
            sections.append({"name": tag_info["name"], "description": tag_info.get("description", ""), "ops": ops})
    # Response schemas, and the component schemas they point at, as field tables.
    i = 0
    while i < len(referenced):
        for row in field_rows(schemas[referenced[i]], schemas, expand_refs=False):
            if row["ref"] and row["ref"] not in referenced:
                referenced.append(row["ref"])
        i += 1
    models = [{"name": n, "description": schemas[n].get("description", ""),
               "rows": field_rows(schemas[n], schemas, expand_refs=False)} for n in referenced]
    errors = [{"status": s, "code": ERROR_CODES[s], "description": d} for s, (_, d) in ERROR_RESPONSES.items()]
    return render_template("api_docs/index.html", doc=doc, base=base, sections=sections, models=models,
                           errors=errors, error_example=json.dumps(
                               {"error": {"code": "validation_error", "message": "提交的内容有误，请按字段提示修改。",
                                          "fields": {"trainees[0].id_number": ["不能超过18个字符"]}}},
                               ensure_ascii=False, indent=2))
