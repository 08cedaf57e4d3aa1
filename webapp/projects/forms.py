"""The public objection form (CSRF on, no sign-in)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ObjectionForm(FlaskForm):
    content = TextAreaField("异议内容", [DataRequired("请填写异议内容"), Length(5, 1000, "异议内容应为5至1000字")])
    contact = StringField("联系方式（选填）", [Optional(), Length(max=100, message="联系方式不能超过100字")])
    submit = SubmitField("提交异议")
