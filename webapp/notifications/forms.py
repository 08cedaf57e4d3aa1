"""Forms of the notification inbox (POST + CSRF only; no fields)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class MarkReadForm(FlaskForm):
    submit = SubmitField("标为已读")


class MarkAllReadForm(FlaskForm):
    submit = SubmitField("全部标为已读")
