"""Password rules (MLPS 2.0 level 2): the same for the web forms, the API and the CLI.

A new password has at least MIN_LENGTH characters from three of the four classes (upper case, lower case,
digits, symbols), does not contain the user name, is not on the deny-list of common passwords (the 30,000
most common passwords zxcvbn ships, also after stripping the digits and symbols people add at either
end) and is not one of the user's last HISTORY passwords. Each failed rule gives its own Chinese message.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable
from functools import cache

from werkzeug.security import check_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_CLASSES = 3
HISTORY = 5

TOO_SHORT = f"密码至少需要{MIN_LENGTH}个字符。"
TOO_LONG = f"密码不能超过{MAX_LENGTH}个字符。"
TOO_SIMPLE = "密码需包含大写字母、小写字母、数字、符号四类中的至少三类。"
HAS_USERNAME = "密码不能包含用户名。"
TOO_COMMON = "该密码属于常见密码，容易被猜中，请换一个。"
REUSED = f"新密码不能与最近{HISTORY}次使用过的密码相同。"

_EDGE = string.digits + string.punctuation + " "


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """On the deny-list, as typed or with digits and symbols stripped from either end ("Password@2026")."""
    lowered = password.lower()
    common = _common()
    candidates = {lowered, lowered.strip(_EDGE), lowered.rstrip(_EDGE), lowered.lstrip(_EDGE)}
    return any(len(c) >= 4 and c in common for c in candidates)


def classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols the password uses."""
    return sum((any(c.isupper() for c in password), any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password)))


def problems(password: str, username: str = "", history: Iterable[str] = ()) -> list[str]:
    """Every rule the password breaks (empty: acceptable). ``history`` are the hashes of the user's recent
    passwords."""
    found: list[str] = []
    if len(password) < MIN_LENGTH:
        found.append(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        found.append(TOO_LONG)
    if classes(password) < MIN_CLASSES:
        found.append(TOO_SIMPLE)
    name = username.strip().lower()
    if name and name in password.lower():
        found.append(HAS_USERNAME)
    if is_common(password):
        found.append(TOO_COMMON)
    if not found and any(check_password_hash(h, password) for h in history):
        found.append(REUSED)
    return found


def one_time_password() -> str:
    """A random password that meets the rules (shown once to the admin who reset an account)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(12))
        candidate = f"{body[:4]}-{body[4:8]}-{body[8:]}"
        if classes(candidate) == 4 and not is_common(candidate):
            return candidate


# The rules as the change-password page lists them.
RULES = (
    f"至少{MIN_LENGTH}个字符；",
    "包含大写字母、小写字母、数字、符号四类中的至少三类；",
    "不包含用户名；",
    "不是常见密码（如 Password@123、Qwerty123!）；",
    f"不与最近{HISTORY}次使用过的密码相同。",
)
