from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.forms import ZhForm


class LoginForm(ZhForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=128)])
    next = HiddenField()
    submit = SubmitField("登录")


class LogoutForm(ZhForm):
    submit = SubmitField("退出")


class PasswordForm(ZhForm):
    """Change one's own password: the current one, the new one twice (the rules are checked by the service)."""

    old_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。"), Length(max=128)])
    new_password = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), Length(max=128)])
    confirm = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码。"),
                                                   EqualTo("new_password", "两次输入的新密码不一致。")])
    next = HiddenField()
    submit = SubmitField("修改密码")
