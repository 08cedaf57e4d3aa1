"""A service's validation messages on a WTForms form.

``ValidationFailed.fields`` (``workflows`` raises it) maps a field path (``comment``,
``trainees[2].id_number``, ``row_17``) to Chinese messages. ``place_errors`` puts each message under the
field its path names, after what WTForms found, and returns the rest for the page top or a flash; each
screen decides what else it shows (the error's summary ``message``, a flash ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from wtforms import Field
from wtforms.form import BaseForm

# Fields that show no messages of their own: buttons, the CSRF token, a whole list of rows.
NO_MESSAGES = ("SubmitField", "CSRFTokenField", "FieldList")


def form_field(form: BaseForm, name: str) -> Field | None:
    """The field ``name`` of ``form`` if it can show a message (not in ``NO_MESSAGES``), else None."""
    field = form[name] if name in form else None
    if field is None or field.type in NO_MESSAGES:
        return None
    return field


def place_errors(fields: Mapping[str, Sequence[str]], form: BaseForm | None = None,
                 field_for: Callable[[str], Field | None] | None = None) -> list[str]:
    """Append each path's messages to the errors of the field ``field_for(path)`` names (by default the
    form's own field of that name, ``form_field``); return, in order, the messages of the paths that name
    no field. Without a form or ``field_for`` nothing is placed: every message is returned."""
    if field_for is None:
        field_for = (lambda name: form_field(form, name)) if form is not None else (lambda name: None)
    rest: list[str] = []
    for path, messages in fields.items():
        field = field_for(path)
        if field is not None:
            field.errors = [*field.errors, *messages]  # a tuple until the form has been validated
        else:
            rest.extend(messages)
    return rest
