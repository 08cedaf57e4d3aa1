"""Forms of the notification inbox (POST + CSRF only; no fields)."""

from __future__ import annotations

from wtforms import SubmitField

from webapp.forms import ZhForm


class MarkReadForm(ZhForm):
    submit = SubmitField("标为已读")


class MarkAllReadForm(ZhForm):
    submit = SubmitField("全部标为已读")
