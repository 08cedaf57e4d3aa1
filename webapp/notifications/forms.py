"""Forms of the notification inbox (POST + CSRF only; no fields)."""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, Optional

from webapp.forms import ZhForm


class MarkReadForm(ZhForm):
    submit = SubmitField("标为已读")


class MarkAllReadForm(ZhForm):
    submit = SubmitField("全部标为已读")


class PreferencesForm(ZhForm):
    """Which outbox channels reach the user, per notification kind (checkbox values ``kind:channel``)."""

    email = StringField("电子邮箱", [Optional(), Length(max=200, message="电子邮箱不能超过200个字符")],
                        filters=[lambda v: v.strip() if isinstance(v, str) else v])
    channels = SelectMultipleField("通知方式", choices=[], validate_choice=True)
    submit = SubmitField("保存设置")
