"""Identifiers for the filing rules, and the catalogues keyed by them.

Credit codes, resident ID numbers and ISBNs: the check characters are computed by python-stdnum
(GB 32100-2015, GB 11643-1999, ISO 2108); this module normalises input and turns stdnum's verdicts
into Chinese messages a person can act on. Occupations (keyed by 职业分类大典 code) and textbooks
(keyed by ISBN) are parsed from CSV text here too. Pure functions, no I/O.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from stdnum import isbn as _isbn
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError

# The 11 districts of SPEC.md section 3, plus the city-level codes that appear in credit codes
# registered by the city market-regulation bureau (440100 / 440101) and the pre-2014/2005 codes
# still carried by older registrations.
GUANGZHOU_AREAS: dict[str, str] = {
    "440100": "广州市",
    "440101": "广州市市辖区",
    "440102": "原东山区",
    "440103": "荔湾区",
    "440104": "越秀区",
    "440105": "海珠区",
    "440106": "天河区",
    "440107": "原芳村区",
    "440111": "白云区",
    "440112": "黄埔区",
    "440113": "番禺区",
    "440114": "花都区",
    "440115": "南沙区",
    "440116": "原萝岗区",
    "440117": "从化区",
    "440118": "增城区",
    "440183": "原增城市",
    "440184": "原从化市",
}

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_EARLIEST_BIRTH = date(1900, 1, 1)
MIN_TRAINEE_AGE = 16


def _nfkc(text: str) -> str:
    """Fold full-width characters (common with Chinese input methods) to ASCII and trim."""
    return unicodedata.normalize("NFKC", text or "").strip()


def add_years(d: date, years: int) -> date:
    """Return ``d`` moved by whole calendar years; 29 February becomes 1 March in common years."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)


# --- unified social credit code (统一社会信用代码) ---------------------------------------------


def normalize_credit_code(code: str) -> str:
    """Canonical form of a credit code: half-width, upper case, spaces and hyphens removed."""
    return _uscc.compact(_nfkc(code))


def credit_code_error(code: str) -> str | None:
    """Check a unified social credit code (GB 32100-2015); return a Chinese message or None.

    Lower-case letters, full-width characters, spaces and hyphens are accepted and normalised,
    so the message only names a real defect: length, characters, or the check character.
    """
    if not _nfkc(code):
        return "统一社会信用代码未填写"
    number = normalize_credit_code(code)
    if len(number) != 18:
        return f"统一社会信用代码应为18位（当前为{len(number)}位）"
    if not number[:8].isascii() or not number[:8].isdigit():
        return "统一社会信用代码第1至8位应为数字"
    if any(c not in _USCC_ALPHABET for c in number[8:]):
        return "统一社会信用代码第9至18位只能是数字或大写字母（不含I、O、Z、S、V）"
    try:
        _uscc.validate(number)
    except ValidationError:
        return "统一社会信用代码校验位错误"
    return None


def credit_code_area(code: str) -> str:
    """The 6-digit administrative area code inside a credit code (characters 3 to 8).

    Raises ValueError when the code is too short or those characters are not digits.
    """
    number = normalize_credit_code(code)
    area = number[2:8]
    if len(area) != 6 or not area.isascii() or not area.isdigit():
        raise ValueError("统一社会信用代码中没有有效的登记管理机关行政区划码")
    return area


def is_guangzhou_area(area_code: str) -> bool:
    """True when a 6-digit administrative area code lies in Guangzhou (4401xx)."""
    return len(area_code) == 6 and area_code.isascii() and area_code.isdigit() and area_code[:4] == "4401"


def area_label(area_code: str) -> str:
    """Human label for an area code, e.g. '440106（天河区）'; non-Guangzhou codes are shown bare."""
    name = GUANGZHOU_AREAS.get(area_code)
    if name is None and is_guangzhou_area(area_code):
        name = "广州市"
    return f"{area_code}（{name}）" if name else area_code


# --- resident ID number (居民身份证号码) ---------------------------------------------------------


def normalize_id_number(id_number: str) -> str:
    """Canonical form of an ID number: half-width, spaces removed, check character 'x' -> 'X'."""
    return _ric.compact(_nfkc(id_number)).replace(" ", "")


def id_birth_date(id_number: str) -> date | None:
    """The birth date encoded in an ID number, or None when it is not a real calendar date."""
    try:
        return _ric.get_birth_date(normalize_id_number(id_number))
    except (ValidationError, ValueError):
        return None


def mask_id_number(id_number: str) -> str:
    """The ID number as every reader sees it by default: first 4 and last 4 characters, the rest ``*``.

    ``440106199001010011`` -> ``4401**********0011``. Shorter values (never valid) keep only their
    last character visible, so a malformed number is not shown in full either.
    """
    number = normalize_id_number(id_number) if id_number else ""
    if len(number) >= 12:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    return "*" * max(len(number) - 1, 0) + number[-1:]


def id_number_error(id_number: str, training_start: date | None) -> str | None:
    """Check a resident ID number (GB 11643-1999); return a Chinese message or None.

    Checks length and characters, the check digit, that the birth date is a real date no earlier
    than 1900, and, when ``training_start`` is given, that the holder is at least 16 that day.
    The address code is not checked against a list of areas: stdnum's list ties codes to birth
    years, which wrongly rejects people registered after their county was created.
    """
    if not _nfkc(id_number):
        return "身份证号码未填写"
    number = normalize_id_number(id_number)
    if len(number) != 18:
        return f"身份证号码应为18位（当前为{len(number)}位）"
    body, check = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or not (check.isdigit() or check == "X"):
        return "身份证号码前17位应为数字，第18位应为数字或X"
    if _ric.calc_check_digit(number) != check:
        return "身份证号码校验位错误"
    birth = id_birth_date(number)
    if birth is None or birth < _EARLIEST_BIRTH:
        return "身份证号码中的出生日期无效"
    if training_start is not None and add_years(birth, MIN_TRAINEE_AGE) > training_start:
        if birth > training_start:
            return "身份证号码中的出生日期晚于培训开始日期"
        return f"身份证号码显示培训开始时未满{MIN_TRAINEE_AGE}周岁（出生日期{birth.isoformat()}）"
    return None


# --- ISBN ------------------------------------------------------------------------------------------


def isbn_error(isbn: str) -> str | None:
    """Check an ISBN-13 or ISBN-10 (hyphens and spaces allowed); return a Chinese message or None."""
    text = _nfkc(isbn)
    if not text:
        return "ISBN未填写"
    number = _isbn.compact(text)
    if len(number) not in (10, 13):
        return f"ISBN应为13位（或旧版10位）数字（当前为{len(number)}位）"
    digits = number if len(number) == 13 else number[:-1]
    if not (digits.isascii() and digits.isdigit()) or not (number[-1].isdigit() or number[-1] == "X"):
        return "ISBN只能由数字组成（旧版10位ISBN末位可为X）"
    if len(number) == 13 and number[:3] not in ("978", "979"):
        return "13位ISBN应以978或979开头"
    try:
        _isbn.validate(number)
    except ValidationError:
        return "ISBN校验位错误"
    return None


def normalize_isbn(isbn: str) -> str:
    """Compact 13-digit form of a valid ISBN (ISBN-10 is converted); ValueError when invalid."""
    error = isbn_error(isbn)
    if error is not None:
        raise ValueError(error)
    return _isbn.compact(_nfkc(isbn), convert=True)


# --- codes and labels shared by the rules -------------------------------------------------------

APPRENTICESHIP_TYPES: dict[str, str] = {
    "enterprise_apprentice": "企业新型学徒", "tech_trainee": "技培生", "student_apprentice": "学生学徒",
}
LEVELS: dict[int, str] = {
    5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师", 1: "一级/高级技师",
}
COURSE_CATEGORIES: dict[str, str] = {
    "general_required": "通用素质必修课", "general_elective": "通用素质选修课",
    "professional_basic": "专业基础课", "professional_skill": "专业技能课",
}
INSTITUTION_TYPES: dict[str, str] = {
    "technical_school": "技工院校", "vocational_college": "职业院校", "training_agency": "职业培训机构",
    "enterprise_center": "企业培训中心", "public_base": "公共实训基地",
}
# Supporting documents (证明材料) a filing carries, by the codes of the API (issue 15).
ATTACHMENT_KINDS: dict[str, str] = {
    "labour_contract": "劳动合同或社保缴费证明",
    "business_licence": "营业执照",
    "training_agreement": "培训协议 / 校企合作协议",
    "school_agreement": "学生学徒的校企培养协议",
    "training_plan": "培养计划",
    "other": "其他",
}
_OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")


# --- catalogues ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occupation:
    """An occupation of the 2022 classification (职业分类大典) with the levels that may be trained."""

    code: str
    name: str
    aliases: tuple[str, ...]
    job_posts: tuple[str, ...]
    levels: tuple[int, ...]
    # On the shortage list (紧缺急需职业（工种）目录): 三级 and above carry the uplifted rate (DMN row).
    shortage: bool = False


@dataclass(frozen=True)
class Textbook:
    """An entry of the national vocational-training textbook catalogue; ``isbn`` is compact ISBN-13."""

    isbn: str
    title: str
    publisher: str
    category: str
    occupation_codes: tuple[str, ...]


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


def _csv_rows(text: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, stripped row) for each non-blank data row; ValueError on a bad header."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValueError(f"第1行：表头缺少列 {', '.join(missing)}")
    reader.fieldnames = header
    for row in reader:
        if None in row:
            raise ValueError(f"第{reader.line_num}行：列数多于表头")
        cleaned = {key: (value or "").strip() for key, value in row.items()}
        if any(cleaned.values()):
            yield reader.line_num, cleaned


SHORTAGE_TRUE: tuple[str, ...] = ("1", "是", "true", "y", "yes")
SHORTAGE_FALSE: tuple[str, ...] = ("", "0", "否", "false", "n", "no")
OCCUPATION_CSV_COLUMNS: tuple[str, ...] = ("code", "name", "aliases", "job_posts", "levels", "shortage")


def occupations_csv(items: Iterable[Occupation]) -> str:
    """The occupation catalogue as CSV text in the columns ``load_occupations_csv`` reads (round trip)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OCCUPATION_CSV_COLUMNS)
    for o in items:
        writer.writerow([o.code, o.name, "|".join(o.aliases), "|".join(o.job_posts),
                         "|".join(str(x) for x in o.levels), "是" if o.shortage else ""])
    return out.getvalue()


def load_occupations_csv(text: str) -> list[Occupation]:
    """Parse ``code,name,aliases,job_posts,levels[,shortage]`` CSV text (``shortage``: 1/是/true for a
    shortage-list occupation, blank or 0/否/false otherwise); ValueError lists every bad row by line."""
    items: list[Occupation] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line, row in _csv_rows(text, ("code", "name", "aliases", "job_posts", "levels")):
        problems = []
        code, name = row["code"], row["name"]
        if not _OCCUPATION_CODE.match(code):
            problems.append(f"职业代码“{code}”格式应为 6-18-01-01")
        elif code in seen:
            problems.append(f"职业代码“{code}”重复")
        if not name:
            problems.append("职业名称为空")
        shortage_text = (row.get("shortage") or "").strip().lower()
        if shortage_text not in SHORTAGE_TRUE + SHORTAGE_FALSE:
            problems.append(f"紧缺急需“{row.get('shortage')}”应为 是/否（或 1/0）")
        raw_levels = _split(row["levels"])
        levels = tuple(int(x) for x in raw_levels if x.isdigit() and 1 <= int(x) <= 5)
        if not raw_levels or len(levels) != len(raw_levels) or len(set(levels)) != len(levels):
            problems.append(f"技能等级“{row['levels']}”应为1至5的整数，以|分隔且不重复")
        if problems:
            errors.append(f"第{line}行：" + "；".join(problems))
            continue
        seen.add(code)
        items.append(Occupation(code, name, _split(row["aliases"]), _split(row["job_posts"]),
                                tuple(sorted(levels, reverse=True)), shortage_text in SHORTAGE_TRUE))
    if errors:
        raise ValueError("\n".join(errors))
    return items


def load_textbooks_csv(text: str) -> list[Textbook]:
    """Parse ``isbn,title,publisher,category,occupation_codes`` CSV text; ISBNs are stored as ISBN-13."""
    items: list[Textbook] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line, row in _csv_rows(text, ("isbn", "title", "publisher", "category", "occupation_codes")):
        problems = []
        isbn_problem = isbn_error(row["isbn"])
        isbn = "" if isbn_problem else normalize_isbn(row["isbn"])
        if isbn_problem:
            problems.append(f"{isbn_problem}（{row['isbn']}）")
        elif isbn in seen:
            problems.append(f"ISBN {isbn} 重复")
        if not row["title"]:
            problems.append("书名为空")
        if not row["publisher"]:
            problems.append("出版社为空")
        if row["category"] not in COURSE_CATEGORIES:
            problems.append(f"课程类别“{row['category']}”无效")
        codes = _split(row["occupation_codes"])
        bad = [c for c in codes if not _OCCUPATION_CODE.match(c)]
        if bad:
            problems.append(f"职业代码格式错误：{'、'.join(bad)}")
        if problems:
            errors.append(f"第{line}行：" + "；".join(problems))
            continue
        seen.add(isbn)
        items.append(Textbook(isbn, row["title"], row["publisher"], row["category"], codes))
    if errors:
        raise ValueError("\n".join(errors))
    return items


def occupations_by_code(items: Sequence[Occupation]) -> dict[str, Occupation]:
    """Index occupations for ``hard_checks`` / ``soft_checks``."""
    return {o.code: o for o in items}


def textbooks_by_isbn(items: Sequence[Textbook]) -> dict[str, Textbook]:
    """Index textbooks by compact ISBN-13 for ``hard_checks`` / ``soft_checks``."""
    return {t.isbn: t for t in items}
