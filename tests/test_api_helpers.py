"""Shared helpers for the API tests (no tests here): fast password hashing, tokens, and a client
wrapper that checks every response against the OpenAPI document."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

USERS = ("ent-440106-1", "ent-440106-2", "ent-440112-1", "review-440106", "review-440112", "city", "admin")
PASSWORD = "Demo@2026"


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API tests sign in often; a one-iteration hash keeps them fast (real hashing is tested elsewhere)."""
    from werkzeug.security import generate_password_hash

    from workflows.accounts import users as accounts

    quick = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr(accounts, "generate_password_hash", quick)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", quick("timing-equaliser"))


@functools.lru_cache(maxsize=1)
def openapi() -> dict[str, Any]:
    from webapp.api.openapi import document

    return document()


def _formats() -> FormatChecker:
    checker = FormatChecker(formats=("date",))

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        return not isinstance(value, str) or (
            "T" in value and datetime.fromisoformat(value).tzinfo is not None)

    return checker


def response_schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    """The documented schema of a response (None for a documented response without a body).
    Fails the test if the status is not documented for the operation."""
    doc = openapi()
    op = doc["paths"][template][method.lower()]
    entry = op["responses"].get(str(status))
    assert entry is not None, f"{method} {template} answered {status}, not documented ({list(op['responses'])})"
    if "$ref" in entry:
        entry = doc["components"]["responses"][entry["$ref"].rsplit("/", 1)[-1]]
    content = entry.get("content")
    if not content:
        return None
    return content["application/json"]["schema"]


def assert_conforms(response: Any, method: str, template: str) -> None:
    """The response's status is documented and its JSON body validates against the documented schema
    ($refs resolved against the document's components)."""
    schema = response_schema(method, template, response.status_code)
    if schema is None:
        assert not response.data, f"{method} {template} {response.status_code} should have no body"
        return
    assert response.mimetype == "application/json", response.data[:200]
    root = {**schema, "components": openapi()["components"]}
    errors = sorted(Draft202012Validator(root, format_checker=_formats()).iter_errors(response.get_json()),
                    key=lambda e: list(e.absolute_path))
    assert not errors, f"{method} {template} {response.status_code}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


class Api:
    """Calls /api/v1 as one token; every response is checked against the OpenAPI document."""

    def __init__(self, client: Any, token: str | None = None):
        self.client = client
        self.token = token

    def call(self, method: str, template: str, *, token: str | None = None, json: Any = None,
             query: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
             data: Any = None, content_type: str | None = None, **path: Any) -> Any:
        url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(path[m.group(1)]), template)
        sent = dict(headers or {})
        bearer = token if token is not None else self.token
        if bearer:
            sent["Authorization"] = f"Bearer {bearer}"
        kwargs: dict[str, Any] = {"headers": sent, "query_string": query}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        if content_type is not None:
            kwargs["content_type"] = content_type
        response = self.client.open(url, method=method, **kwargs)
        assert response.status_code < 500, response.data[:500]
        assert_conforms(response, method, template)
        return response

    def get(self, template: str, **kw: Any) -> Any:
        return self.call("GET", template, **kw)

    def post(self, template: str, **kw: Any) -> Any:
        return self.call("POST", template, **kw)

    def put(self, template: str, **kw: Any) -> Any:
        return self.call("PUT", template, **kw)

    def delete(self, template: str, **kw: Any) -> Any:
        return self.call("DELETE", template, **kw)

    def as_(self, token: str) -> Api:
        return Api(self.client, token)


def token_for(client: Any, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def tokens_for(client: Any, usernames: tuple[str, ...] = USERS) -> dict[str, str]:
    return {name: token_for(client, name) for name in usernames}


def filing_body(seed: int = 1, **overrides: Any) -> dict[str, Any]:
    """A complete, valid FilingInput body (from the demo's sample filing, so it passes the hard rules)."""
    from workflows.demo import sample_filing

    d = sample_filing(seed)
    body: dict[str, Any] = {
        "apprenticeship_type": d.apprenticeship_type,
        "occupation_code": d.occupation_code,
        "level": d.level,
        "institution": {"name": d.institution_name, "type": d.institution_type},
        "period": {"start": d.period_start.isoformat() if d.period_start else None,
                   "end": d.period_end.isoformat() if d.period_end else None},
        "period_reason": d.period_reason,
        "tutors": {"enterprise": d.tutor_enterprise, "institution": d.tutor_institution},
        "trainees": [{"name": t.name, "id_number": t.id_number, "job_post": t.job_post,
                      "contract_start": t.contract_start.isoformat() if t.contract_start else None}
                     for t in d.trainees],
        "courses": [{"category": c.category, "name": c.name, "hours": c.hours, "textbook_isbn": c.textbook_isbn}
                    for c in d.courses],
    }
    body.update(overrides)
    return body


def error_of(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]
