from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from webapp.forms import ZhForm


class LoginForm(ZhForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=128)])
    next = HiddenField()
    submit = SubmitField("登录")


class LogoutForm(ZhForm):
    submit = SubmitField("退出")
