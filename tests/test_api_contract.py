"""The API against its own OpenAPI document: the document covers every route; every endpoint answers
every role with a documented status and a conforming body; a schemathesis run (bounded) finds no 5xx
and no response that breaks the schema; the documentation page renders from the same document."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from tests.test_api_helpers import (  # noqa: F401
    USERS,
    Api,
    error_of,
    fast_passwords,
    filing_body,
    openapi,
    token_for,
    tokens_for,
)
from workflows.models import User


@pytest.fixture()
def api(client, world):  # type: ignore[no-untyped-def]
    return Api(client)


@pytest.fixture()
def tokens(api):  # type: ignore[no-untyped-def]
    return tokens_for(api.client)


# --- the document -------------------------------------------------------------------------------------------


def test_document_covers_every_api_route(app):  # type: ignore[no-untyped-def]
    doc = openapi()
    assert doc["openapi"].startswith("3.1")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
            routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


def test_document_is_valid_openapi_31_with_valid_json_schemas():  # type: ignore[no-untyped-def]
    from jsonschema import Draft202012Validator
    from schemathesis.specs.openapi import definitions

    doc = openapi()
    errors = [e.message for e in definitions.OPENAPI_31_VALIDATOR.iter_errors(doc)]
    assert errors == []
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # raises SchemaError naming the problem


def test_every_operation_documents_its_responses_and_security():  # type: ignore[no-untyped-def]
    doc = openapi()
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"]["bearerAuth"][
            "description"]}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            assert op["summary"] and op["operationId"], where
            assert any(s.startswith("2") for s in op["responses"]), where
            public = op.get("security") == []
            assert public == (path in ("/auth/token", "/openapi.json") and method in ("post", "get")), where
            if not public:
                assert op["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}, where
            if "{" in path:
                assert "404" in op["responses"], where
            if "requestBody" in op:
                assert {"413", "422"} <= set(op["responses"]), where
                (body,) = (media["schema"] for media in op["requestBody"]["content"].values())  # JSON or multipart
                target = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
                assert target["additionalProperties"] is False, where
    for name in ("Unauthorized", "NotFound", "Conflict", "ValidationError", "RateLimited", "PayloadTooLarge"):
        schema = doc["components"]["responses"][name]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}


def test_request_schemas_are_strict():  # type: ignore[no-untyped-def]
    schemas = openapi()["components"]["schemas"]

    def walk(node, where):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, where
            if node.get("type") == "string" or (isinstance(node.get("type"), list) and "string" in node["type"]):
                assert "maxLength" in node or "enum" in node or "format" in node, where
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    for name in ("FilingInput", "TaskCompletion", "TokenRequest", "Withdrawal"):
        walk(schemas[name], name)


def test_openapi_json_is_public_and_unknown_api_paths_use_the_envelope(api):  # type: ignore[no-untyped-def]
    r = api.get("/openapi.json")
    assert r.status_code == 200 and r.get_json()["info"]["title"].startswith("广州市")
    missing = api.client.get("/api/v1/nope")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    wrong = api.client.patch("/api/v1/cases")
    assert wrong.status_code == 405 and "error" in wrong.get_json()


# --- every endpoint as every role --------------------------------------------------------------------------


def _uid(session, username):  # type: ignore[no-untyped-def]
    return session.scalars(select(User.id).where(User.username == username)).one()


def test_every_endpoint_as_every_role(api, tokens, session):  # type: ignore[no-untyped-def]
    """Owner enterprise ent-440106-1 has a draft and a case waiting for review by district 440106."""
    owner = tokens["ent-440106-1"]
    draft = api.post("/filings", token=owner, json=filing_body(1)).get_json()
    waiting = api.post("/filings", token=owner, json=filing_body(2)).get_json()
    api.post("/filings/{id}/submit", id=waiting["filing"]["id"], token=owner)
    task_id = api.get("/tasks", token=tokens["review-440106"]).get_json()["items"][0]["id"]
    uid = _uid(session, "ent-440112-1")

    in_scope = {"ent-440106-1", "review-440106", "city", "admin"}
    for who in USERS:
        t = tokens[who]
        role = who.split("-")[0]
        seen = 200 if who in in_scope else 404
        expectations = [
            (api.get("/auth/me", token=t), 200),
            (api.get("/occupations", token=t), 200),
            (api.get("/textbooks", token=t), 200),
            (api.get("/cases", token=t), 200),
            (api.get("/tasks", token=t), 200),
            (api.get("/cases/{id}", id=waiting["id"], token=t), seen),
            (api.get("/filings/{id}", id=waiting["filing"]["id"], token=t), seen),
            # Writes that only the owner (or the district reviewer, for the task) may make.
            (api.put("/filings/{id}", id=draft["filing"]["id"], token=t, json=filing_body(3)),
             200 if who == "ent-440106-1" else 404),
            (api.post("/filings/{id}/withdraw", id=draft["filing"]["id"], token=t, json={"comment": "x"}),
             409 if who == "ent-440106-1" else 404),  # a draft cannot be withdrawn, only its owner learns why
            (api.post("/tasks/{id}/complete", id=task_id, token=t, json={"decision": "return", "comment": "补"}),
             200 if who == "review-440106" else 404),
            (api.post("/admin/users/{id}/revoke-tokens", id=uid, token=t),
             200 if role == "admin" else 404),
            (api.post("/filings", token=t, json=filing_body(4)), 201 if role == "ent" else 404),
        ]
        got = [r.status_code for r, _ in expectations]
        assert got == [status for _, status in expectations], who
        if who == "review-440106":  # the task is done; put the case back in review for the next users
            api.post("/filings/{id}/submit", id=waiting["filing"]["id"], token=owner)
            task_id = api.get("/tasks", token=tokens["review-440106"]).get_json()["items"][0]["id"]
        if role == "admin":
            tokens["ent-440112-1"] = token_for(api.client, "ent-440112-1")
    for who in USERS:
        assert api.delete("/auth/token", token=tokens[who]).status_code == 204, who


# --- schemathesis -------------------------------------------------------------------------------------------


@pytest.fixture()
def enterprise_token(client, world):  # type: ignore[no-untyped-def]
    """A real token of an enterprise clerk, whose enterprise has a draft and a submitted filing (so that
    generated ids sometimes hit a real case)."""
    token = token_for(client, "ent-440106-1")
    headers = {"Authorization": f"Bearer {token}"}
    for seed in (1, 2):
        case = client.post("/api/v1/filings", json=filing_body(seed), headers=headers).get_json()
        if seed == 2:
            client.post(f"/api/v1/filings/{case['filing']['id']}/submit", headers=headers)
    return token


# The document is built from the registry, so it can be loaded at import; requests go to the test app.
# (schemathesis.pytest.from_fixture would load it from the app, but its lazy loader breaks on pytest 9.)
fuzzed = schemathesis.openapi.from_dict(openapi()).exclude(method="DELETE", path="/auth/token")


@fuzzed.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_schemathesis_no_5xx_and_conforming_responses(case, app, enterprise_token):  # type: ignore[no-untyped-def]
    response = case.call(app=app, headers={"Authorization": f"Bearer {enterprise_token}"})
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                             content_type_conformance, response_schema_conformance])


# --- the documentation page ---------------------------------------------------------------------------------


def test_docs_page_renders_every_operation_from_the_document(client, world):  # type: ignore[no-untyped-def]
    r = client.get("/api/docs")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "接口文档" in html and "curl" in html and "Authorization: Bearer $TOKEN" in html
    for path, ops in openapi()["paths"].items():
        for method, op in ops.items():
            assert f'id="{op["operationId"]}"' in html, f"{method} {path}"
    for field in ("trainees[].id_number", "institution.type", "period.start", "courses[].textbook_isbn",
                  "confirm_mismatches"):
        assert f"<code>{field}</code>" in html, field
    assert "cdn" not in html.lower() and "swagger" not in html.lower()


def test_docs_link_in_nav_for_city_and_admin_only(client, world):  # type: ignore[no-untyped-def]
    for username, shown in (("city", True), ("admin", True), ("ent-440106-1", False), ("review-440106", False)):
        client.post("/login", data={"username": username, "password": "Demo@2026"})
        page = client.get("/me").get_data(as_text=True)
        assert ('href="/api/docs"' in page) is shown, username
        client.post("/logout")


# --- the extension point for uploads (used by plans and reports) -------------------------------------------


def test_multipart_operations_validate_fields_and_cap_size(app):  # type: ignore[no-untyped-def]
    import io

    from flask import request

    from webapp.api.core import _dispatch
    from webapp.api.errors import ApiError
    from webapp.api.registry import Operation
    from webapp.api.validation import RequestInvalid

    op = Operation(method="POST", path="/uploads-test", operation_id="uploads_test", summary="", description="",
                   tag="x", roles=None, body="Withdrawal", body_media="multipart/form-data", max_body=4096)

    def view(call):  # type: ignore[no-untyped-def]
        return call.body, sorted(request.files)

    def form(**fields):  # type: ignore[no-untyped-def]
        return app.test_request_context("/api/v1/uploads-test", method="POST", data=fields,
                                        content_type="multipart/form-data")

    with form(comment="典型案例", file=(io.BytesIO(b"x" * 100), "a.jpg")):
        assert _dispatch(op, view, {}) == ({"comment": "典型案例"}, ["file"])
    with form(comment="x", other="y"), pytest.raises(RequestInvalid) as invalid:
        _dispatch(op, view, {})
    assert "other" in invalid.value.fields
    with form(file=(io.BytesIO(b"x" * 5000), "big.jpg")), pytest.raises(ApiError) as too_big:
        _dispatch(op, view, {})
    assert too_big.value.status == 413
    with app.test_request_context("/api/v1/uploads-test", method="POST", json={"comment": "x"}), \
            pytest.raises(RequestInvalid):
        _dispatch(op, view, {})


def test_case_sections_extend_the_case_detail(api, tokens, monkeypatch):  # type: ignore[no-untyped-def]
    from webapp.api import registry

    seen = []

    def builder(session, instance, actor):  # type: ignore[no-untyped-def]
        seen.append((instance.kind, actor.role))
        return {"quarter": 1}

    monkeypatch.setitem(registry.CASE_SECTIONS, "filing", ("plan", builder))
    case = api.post("/filings", token=tokens["ent-440106-1"], json=filing_body()).get_json()
    assert case["plan"] == {"quarter": 1} and seen == [("filing", "enterprise")]
