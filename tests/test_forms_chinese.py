"""Chinese everywhere (issue 17): every form of the web app, fed bad input, shows only Chinese messages
(WTForms' and Flask-WTF's built-in ones included, CSRF too), and no WTForms deprecation is raised."""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Iterator
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields import Field

import webapp
from webapp.forms import ZhMeta


def _all_form_classes() -> list[type[Form]]:
    for module in pkgutil.walk_packages(webapp.__path__, "webapp."):
        importlib.import_module(module.name)
    found: list[type[Form]] = []
    stack = list(Form.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        abstract = getattr(cls, "FORM_KEY", None) == ""  # tasks.forms.DecisionForm: the base of the task forms
        if cls.__module__.startswith("webapp.") and cls.__module__ != "webapp.forms" and cls not in found \
                and not abstract:
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORMS = _all_form_classes()


def _leaves(form: Any) -> Iterator[Field]:
    for field in form:
        if field.type == "FieldList":
            if not field.entries:
                field.append_entry()
            for entry in field.entries:
                yield from _leaves(entry.form) if hasattr(entry, "form") else [entry]
        elif field.type == "FormField":
            yield from _leaves(field.form)
        else:
            yield field


BAD = {"StringField": "x" * 100_001, "TextAreaField": "x" * 100_001, "PasswordField": "x" * 100_001,
       "SearchField": "x" * 100_001, "IntegerField": "abc", "DecimalField": "abc", "FloatField": "abc",
       "DateField": "2027-02-30", "SelectField": "__not_a_choice__", "RadioField": "__not_a_choice__",
       "SelectMultipleField": "__not_a_choice__", "CheckboxList": "__not_a_choice__", "HiddenField": "x" * 100_001}


def _messages(errors: Any) -> Iterator[str]:
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, (list, tuple)):
        for value in errors:
            yield from _messages(value)
    elif isinstance(errors, str):
        yield errors


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _build(cls: type[Form], data: MultiDict) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        return cls(formdata=data)


def test_the_app_has_forms_and_every_one_uses_the_chinese_meta(app) -> None:  # type: ignore[no-untyped-def]
    assert len(FORMS) >= 25, [f.__name__ for f in FORMS]
    with app.test_request_context("/"):
        for cls in FORMS:
            assert isinstance(cls().meta, ZhMeta), f"{cls.__module__}.{cls.__qualname__} does not use webapp.forms"


def _form_messages(cls: type[Form]) -> list[str]:
    """Every message ``cls`` shows for three kinds of bad input: too long / not a number / not a date / not
    a choice everywhere, nothing at all, a forged CSRF token. Rendering each field must raise no WTForms
    deprecation (tuple choices)."""
    template = _build(cls, MultiDict())
    names = {f.name: f.type for f in _leaves(template)}
    skipped = ("SubmitField", "CSRFTokenField", "FileField", "MultipleFileField", "BooleanField")
    seen: list[str] = []
    for data in (MultiDict({n: BAD.get(t, "x" * 100_001) for n, t in names.items() if t not in skipped}
                           | {"submit": "y", "save": "y"}),
                 MultiDict({"submit": "y"}), MultiDict({"csrf_token": "forged", "submit": "y"})):
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            form = _build(cls, data)
            form.validate()
            for field in _leaves(form):
                str(field)
        seen.extend(_messages(form.errors))
    # Every POST form at least refuses the forged CSRF token; a GET filter may accept anything.
    assert seen or not isinstance(template, FlaskForm), f"{cls.__qualname__}: bad input produced no message"
    return seen


def test_every_message_of_every_form_is_chinese(app) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = True
    english: dict[str, list[str]] = {}
    count = 0
    try:
        with app.test_request_context("/", method="POST"):
            for cls in FORMS:
                messages = _form_messages(cls)
                count += len(messages)
                if bad := [m for m in messages if not _has_cjk(m)]:
                    english[f"{cls.__module__}.{cls.__qualname__}"] = bad
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert english == {}
    assert count > 100  # the forms really were fed bad input


def test_the_sign_in_page_says_too_long_in_chinese(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"username": "x" * 65, "password": "p"})
    body = response.get_data(as_text=True)
    assert "Field cannot be longer" not in body and "不能超过" in body


def test_an_invalid_choice_on_the_plan_screen_is_chinese(app) -> None:  # type: ignore[no-untyped-def]
    from webapp.plans.forms import PlanDecisionForm

    with app.test_request_context("/", method="POST"):
        form = PlanDecisionForm(formdata=MultiDict({"decision": "maybe"}))
        form.validate()
        assert form.decision.errors and all(_has_cjk(m) for m in form.decision.errors)
        assert "Not a valid choice" not in " ".join(form.decision.errors)
