"""The one base of every form in the web app: WTForms' and Flask-WTF's built-in messages in Simplified
Chinese, configured once here, and ``options()`` for select choices.

* ``ZhForm`` (a FlaskForm: CSRF from Flask-WTF) and ``RowForm`` (a plain Form: rows inside a FieldList,
  GET filters) share ``ZhMeta``, whose translations are WTForms' own ``zh`` catalogue plus the few
  messages it lacks (Flask-WTF's file validators, the "disabled" message). Flask-WTF's own i18n needs
  Flask-Babel and, without it, hands WTForms no translations at all (English); ``ZhMeta`` replaces it.
* The CSRF field's messages (Flask-WTF raises them in English) are replaced by Chinese ones.
* ``options()`` builds ``SelectChoice`` lists (WTForms 3.3 deprecates tuple and dict choices).

``tests/test_forms_chinese.py`` renders every form's errors and finds no ASCII-only message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms import i18n as wtforms_i18n
from wtforms.fields.choices import SelectChoice
from wtforms.meta import DefaultMeta

# Messages WTForms' zh catalogue lacks, and Flask-WTF's (which use the form's translations too).
_EXTRA: dict[str, str] = {
    "This field is disabled and cannot have a value.": "该字段已禁用，不能填写。",
    "This field cannot be edited.": "该字段不能修改。",
    "Not a valid week value.": "不是有效的周。",
    "'%(value)s' is not a valid choice for this field.": "“%(value)s”不是有效的选项。",
    "'%(value)s' are not valid choices for this field.": "“%(value)s”不是有效的选项。",
    "This field is required.": "该字段是必填字段。",
    "File does not have an approved extension: {extensions}": "文件类型不符合要求，允许的类型：{extensions}",
    "File does not have an approved extension.": "文件类型不符合要求。",
}
_FILE_SIZE = re.compile(r"^File must be between (\d+) and (\d+) bytes\.$")

# Flask-WTF's CSRF messages (raised in English, not through gettext).
CSRF_MESSAGES: dict[str, str] = {
    "The CSRF token is missing.": "缺少表单安全令牌，请刷新页面后重试。",
    "The CSRF session token is missing.": "会话已过期，请刷新页面后重试。",
    "The CSRF token has expired.": "页面停留时间过长，表单已过期，请刷新页面后重试。",
    "The CSRF token is invalid.": "表单安全令牌无效，请刷新页面后重试。",
    "The CSRF tokens do not match.": "表单安全令牌不匹配，请刷新页面后重试。",
}
CSRF_FALLBACK = "表单校验失败，请刷新页面后重试。"


class ChineseTranslations:
    """WTForms' ``zh`` catalogue with the missing messages filled in (gettext / ngettext)."""

    def __init__(self) -> None:
        self._zh = wtforms_i18n.get_translations(["zh"])

    def _extra(self, message: str, translated: str) -> str:
        if translated != message:
            return translated
        size = _FILE_SIZE.match(message)
        if size:
            return f"文件大小应在{size.group(1)}至{size.group(2)}字节之间。"
        return _EXTRA.get(message, translated)

    def gettext(self, string: str) -> str:
        return self._extra(string, self._zh.gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        translated = self._zh.ngettext(singular, plural, n)
        return self._extra(singular if n == 1 else plural, translated)


_TRANSLATIONS = ChineseTranslations()


class ZhMeta(DefaultMeta):
    """Every form's Meta: WTForms' built-in messages in Chinese, whatever the request's language."""

    locales = ("zh",)

    def get_translations(self, form: Any) -> ChineseTranslations:  # type: ignore[override]
        return _TRANSLATIONS


class ZhForm(FlaskForm):
    """Base of every POST form: CSRF from Flask-WTF, every built-in message in Chinese."""

    class Meta(ZhMeta):
        pass

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        token = getattr(self, "csrf_token", None)
        if token is not None and token.errors:
            token.errors = [CSRF_MESSAGES.get(m, m if _has_cjk(m) else CSRF_FALLBACK) for m in token.errors]
        return ok


class RowForm(Form):
    """A form without a CSRF token (a row inside a FieldList, a GET filter), messages in Chinese."""

    class Meta(ZhMeta):
        pass


def options(items: Mapping[Any, str] | Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """SelectField choices from a dict or (value, label) pairs."""
    pairs = items.items() if isinstance(items, Mapping) else items
    return [SelectChoice(value, label) for value, label in pairs]


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
