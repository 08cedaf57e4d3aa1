"""Reference catalogues: occupations (职业工种) and the national planning textbook catalogue (R2, R9).

The catalogues live in the database (tables ``occupation`` and ``textbook``), where admins edit them;
the data files shipped in ``data/`` are loaded on first use (``ensure_loaded``, ``flask catalogues
import``) and are what ``occupations()`` / ``textbooks()`` return while the tables are empty.

Reads are cached per process and keyed by a random token in ``catalogue_revision`` that every change
replaces, so a read costs one primary-key query and a change made by any process is seen at once.
``occupations()`` and ``textbooks()`` take an optional session; without one they use the session the
web layer registered with ``use_session`` (Flask-SQLAlchemy's scoped session), else the data files.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workflows import rules
from workflows.db import utcnow
from workflows.models import CatalogueRevision
from workflows.models import Occupation as OccupationRow
from workflows.models import Textbook as TextbookRow

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
_SEPARATORS = re.compile(r"[|｜、,，;；\n\r]+")

_session_provider: Callable[[], Session] | None = None
_cache: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {}


def use_session(provider: Callable[[], Session] | None) -> None:
    """Register where ``occupations()`` / ``textbooks()`` find a session when none is passed."""
    global _session_provider
    _session_provider = provider


# --------------------------------------------------------------------------------------------------
# The shipped data files


@lru_cache(maxsize=1)
def shipped_occupations() -> tuple[rules.Occupation, ...]:
    """``data/occupations.csv`` parsed (raises ValueError listing bad lines)."""
    return tuple(rules.load_occupations_csv((DATA_DIR / "occupations.csv").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def shipped_textbooks() -> tuple[rules.Textbook, ...]:
    """``data/textbooks.csv`` parsed (raises ValueError listing bad lines)."""
    return tuple(rules.load_textbooks_csv((DATA_DIR / "textbooks.csv").read_text(encoding="utf-8")))


# --------------------------------------------------------------------------------------------------
# Reads


def occupations(session: Session | None = None) -> dict[str, rules.Occupation]:
    """Occupations by code (catalogue order). Treat the result as read-only: it is shared."""
    return _read("occupation", session)


def textbooks(session: Session | None = None) -> dict[str, rules.Textbook]:
    """Textbooks by compact ISBN-13. Treat the result as read-only: it is shared."""
    return _read("textbook", session)


def find_textbook(isbn: str, session: Session | None = None) -> rules.Textbook | None:
    """The catalogue entry for an ISBN as typed (hyphens, ISBN-10 accepted), or None."""
    if not (isbn or "").strip() or rules.isbn_error(isbn):
        return None
    return textbooks(session).get(rules.normalize_isbn(isbn))


def _session(session: Session | None) -> Session | None:
    if session is not None:
        return session
    if _session_provider is None:
        return None
    try:
        return _session_provider()
    except RuntimeError:  # e.g. Flask-SQLAlchemy outside an application context
        return None


_tables_seen: set[str] = set()


def _bind_key(session: Session) -> str:
    bind = session.get_bind()
    return str(bind.engine.url)


def _has_tables(session: Session) -> bool:
    """Whether the catalogue tables exist (a database not yet migrated reads the data files)."""
    bind = session.get_bind()
    url = _bind_key(session)
    if url not in _tables_seen:
        from sqlalchemy import inspect

        if not inspect(bind).has_table(CatalogueRevision.__tablename__):
            return False
        _tables_seen.add(url)
    return True


def _read(name: str, session: Session | None) -> dict[str, Any]:
    s = _session(session)
    if s is None or not _has_tables(s):
        return _shipped(name)
    with s.no_autoflush:
        token = s.scalar(select(CatalogueRevision.token).where(CatalogueRevision.name == name))
        key = (_bind_key(s), token or "")
        cached = _cache.get(name)
        if token and cached is not None and cached[0] == key:
            return cached[1]
        value = _from_rows(name, s) or _shipped(name)
    if token:
        _cache[name] = (key, value)
    return value


def _shipped(name: str) -> dict[str, Any]:
    if name == "occupation":
        return {o.code: o for o in shipped_occupations()}
    return {t.isbn: t for t in shipped_textbooks()}


def _from_rows(name: str, session: Session) -> dict[str, Any]:
    if name == "occupation":
        rows = session.scalars(select(OccupationRow).order_by(OccupationRow.seq, OccupationRow.code))
        return {r.code: _occupation(r) for r in rows}
    books = session.scalars(select(TextbookRow).order_by(TextbookRow.seq, TextbookRow.isbn))
    return {r.isbn: _textbook(r) for r in books}


def _occupation(row: OccupationRow) -> rules.Occupation:
    return rules.Occupation(row.code, row.name, tuple(row.aliases or ()), tuple(row.job_posts or ()),
                            tuple(sorted((int(x) for x in row.levels or ()), reverse=True)))


def _textbook(row: TextbookRow) -> rules.Textbook:
    return rules.Textbook(row.isbn, row.title, row.publisher, row.category, tuple(row.occupation_codes or ()))


def is_loaded(session: Session) -> dict[str, bool]:
    """Whether each table holds rows (False: reads fall back to the shipped data file)."""
    if not _has_tables(session):
        return {"occupation": False, "textbook": False}
    return {
        "occupation": bool(session.scalar(select(func.count()).select_from(OccupationRow))),
        "textbook": bool(session.scalar(select(func.count()).select_from(TextbookRow))),
    }


# --------------------------------------------------------------------------------------------------
# Writes (no commit: callers own the unit of work)


def touch(session: Session, name: str) -> None:
    """Record that catalogue ``name`` changed: every process reloads it on its next read."""
    row = session.get(CatalogueRevision, name)
    if row is None:
        session.add(CatalogueRevision(name=name, token=uuid.uuid4().hex))
    else:
        row.token = uuid.uuid4().hex
        row.updated_at = utcnow()
    session.flush()


def ensure_loaded(session: Session) -> dict[str, int]:
    """Load the shipped data files into empty tables (first use); returns rows added per table."""
    loaded = is_loaded(session)
    added = {"occupation": 0, "textbook": 0}
    if not loaded["occupation"]:
        added["occupation"] = upsert_occupations(session, shipped_occupations())
    if not loaded["textbook"]:
        added["textbook"] = upsert_textbooks(session, shipped_textbooks())
    return added


def _next_seq(session: Session, model: type[OccupationRow] | type[TextbookRow]) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.seq), -1))) or 0) + 1


def upsert_occupations(session: Session, items: Iterable[rules.Occupation], replace: bool = False) -> int:
    """Insert or update occupations by code; with ``replace`` delete the ones not given."""
    items = list(items)
    existing = {r.code: r for r in session.scalars(select(OccupationRow))}
    next_seq = _next_seq(session, OccupationRow)
    for o in items:
        row = existing.get(o.code)
        if row is None:
            row = OccupationRow(code=o.code, seq=next_seq)
            next_seq += 1
            session.add(row)
        row.name, row.aliases, row.job_posts = o.name, list(o.aliases), list(o.job_posts)
        row.levels = sorted({int(x) for x in o.levels}, reverse=True)
    if replace:
        keep = {o.code for o in items}
        stale = [code for code in existing if code not in keep]
        if stale:
            session.execute(delete(OccupationRow).where(OccupationRow.code.in_(stale)))
    touch(session, "occupation")
    return len(items)


def upsert_textbooks(session: Session, items: Iterable[rules.Textbook], replace: bool = False) -> int:
    """Insert or update textbooks by ISBN; with ``replace`` delete the ones not given."""
    items = list(items)
    existing = {r.isbn: r for r in session.scalars(select(TextbookRow))}
    next_seq = _next_seq(session, TextbookRow)
    for t in items:
        row = existing.get(t.isbn)
        if row is None:
            row = TextbookRow(isbn=t.isbn, seq=next_seq)
            next_seq += 1
            session.add(row)
        row.title, row.publisher, row.category = t.title, t.publisher, t.category
        row.occupation_codes = list(t.occupation_codes)
    if replace:
        keep = {t.isbn for t in items}
        stale = [isbn for isbn in existing if isbn not in keep]
        if stale:
            session.execute(delete(TextbookRow).where(TextbookRow.isbn.in_(stale)))
    touch(session, "textbook")
    return len(items)


def split_list(value: str) -> list[str]:
    """'数控车工|车床工、普通车工' or one per line -> ['数控车工', '车床工', '普通车工'] (order kept, no repeats)."""
    seen: list[str] = []
    for part in _SEPARATORS.split(value or ""):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


@dataclass
class OccupationInput:
    code: str
    name: str
    aliases: list[str]
    job_posts: list[str]
    levels: list[int]


@dataclass
class TextbookInput:
    isbn: str
    title: str
    publisher: str
    category: str
    occupation_codes: list[str]


def occupation_errors(data: OccupationInput, session: Session, original_code: str | None) -> dict[str, list[str]]:
    """Field -> Chinese messages for an occupation typed on the admin screen."""
    errors: dict[str, list[str]] = {}
    code = data.code.strip()
    if not OCCUPATION_CODE.match(code):
        errors["code"] = ["职业代码格式应为 6-18-01-01"]
    elif code != original_code and session.get(OccupationRow, code) is not None:
        errors["code"] = [f"职业代码“{code}”已存在"]
    if not data.name.strip():
        errors["name"] = ["请填写职业名称"]
    elif len(data.name.strip()) > 100:
        errors["name"] = ["职业名称不能超过100个字"]
    if not data.levels or any(level not in rules.LEVELS for level in data.levels):
        errors["levels"] = ["请至少选择一个技能等级"]
    return errors


def textbook_errors(data: TextbookInput, session: Session, original_isbn: str | None) -> dict[str, list[str]]:
    """Field -> Chinese messages for a textbook typed on the admin screen (or one Excel row)."""
    errors: dict[str, list[str]] = {}
    problem = rules.isbn_error(data.isbn)
    if problem:
        errors["isbn"] = [problem]
    elif rules.normalize_isbn(data.isbn) != original_isbn and \
            session.get(TextbookRow, rules.normalize_isbn(data.isbn)) is not None:
        errors["isbn"] = [f"ISBN {rules.normalize_isbn(data.isbn)} 已在目录中"]
    for field, label, limit in (("title", "书名", 200), ("publisher", "出版社", 100)):
        value = getattr(data, field).strip()
        if not value:
            errors[field] = [f"请填写{label}"]
        elif len(value) > limit:
            errors[field] = [f"{label}不能超过{limit}个字"]
    if data.category not in rules.COURSE_CATEGORIES:
        errors["category"] = ["请选择有效的课程类别"]
    known = occupations(session)
    bad = [c for c in data.occupation_codes if c not in known]
    if bad:
        errors["occupation_codes"] = [f"职业代码不在职业目录内：{'、'.join(bad)}"]
    return errors


def save_occupation(session: Session, data: OccupationInput, original_code: str | None = None) -> OccupationRow:
    """Create (``original_code`` None) or update an occupation; ValidationFailed lists bad fields."""
    from workflows.service import ValidationFailed

    ensure_loaded(session)
    errors = occupation_errors(data, session, original_code)
    if errors:
        raise ValidationFailed("职业信息有误，请修改标出的内容。", errors)
    code = data.code.strip()
    seq = None
    if original_code and original_code != code:
        old = session.get(OccupationRow, original_code)
        if old is not None:
            seq = old.seq
            session.delete(old)
            session.flush()
    row = session.get(OccupationRow, code)
    if row is None:
        row = OccupationRow(code=code, seq=_next_seq(session, OccupationRow) if seq is None else seq)
        session.add(row)
    row.name = data.name.strip()
    row.aliases, row.job_posts = list(data.aliases), list(data.job_posts)
    row.levels = sorted(set(data.levels), reverse=True)
    touch(session, "occupation")
    return row


def save_textbook(session: Session, data: TextbookInput, original_isbn: str | None = None) -> TextbookRow:
    """Create or update a textbook entry; ValidationFailed lists bad fields."""
    from workflows.service import ValidationFailed

    ensure_loaded(session)
    errors = textbook_errors(data, session, original_isbn)
    if errors:
        raise ValidationFailed("教材信息有误，请修改标出的内容。", errors)
    isbn = rules.normalize_isbn(data.isbn)
    seq = None
    if original_isbn and original_isbn != isbn:
        old = session.get(TextbookRow, original_isbn)
        if old is not None:
            seq = old.seq
            session.delete(old)
            session.flush()
    row = session.get(TextbookRow, isbn)
    if row is None:
        row = TextbookRow(isbn=isbn, seq=_next_seq(session, TextbookRow) if seq is None else seq)
        session.add(row)
    row.title, row.publisher, row.category = data.title.strip(), data.publisher.strip(), data.category
    row.occupation_codes = list(data.occupation_codes)
    touch(session, "textbook")
    return row


def delete_entry(session: Session, name: str, key: str) -> bool:
    """Delete one occupation (by code) or textbook (by ISBN); False when it does not exist."""
    ensure_loaded(session)
    model = OccupationRow if name == "occupation" else TextbookRow
    row = session.get(model, key)
    if row is None:
        return False
    session.delete(row)
    touch(session, name)
    return True


# --------------------------------------------------------------------------------------------------
# Excel import of the textbook catalogue

TEXTBOOK_COLUMNS = ("ISBN", "书名", "出版社", "课程类别", "适用职业代码")
_CATEGORY_BY_LABEL = {label: code for code, label in rules.COURSE_CATEGORIES.items()}


def textbook_template() -> bytes:
    """The Excel template admins fill to import textbooks (with the current catalogue as rows)."""
    from workflows.spreadsheets import write_template

    columns = [
        ("ISBN", "13位ISBN，可带连字符，例如 978-7-5167-3801-6", 22),
        ("书名", "必填，200字以内", 44),
        ("出版社", "必填", 26),
        ("课程类别", "通用素质必修课 / 通用素质选修课 / 专业基础课 / 专业技能课", 18),
        ("适用职业代码", "可留空；多个代码用 | 或 、 分隔，例如 6-18-01-01|6-18-01-02", 30),
    ]
    notes = [
        "全国职业培训规划教材目录导入模板",
        "1. 第1行为表头，请勿修改列名；从第2行起每行一种教材。",
        "2. ISBN 必须是有效的 13 位（或旧版 10 位）ISBN；同一表格中不能重复。",
        "3. 课程类别填写：通用素质必修课、通用素质选修课、专业基础课、专业技能课。",
        "4. 适用职业代码须为职业目录中已有的代码，多个用 | 或 、 分隔，可留空。",
        "5. 表格中只要有一处错误，系统将列出全部错误，且不导入任何数据。",
        "6. 已在目录中的 ISBN 会被更新；勾选“替换整个目录”时，未出现在表格中的教材会被删除。",
    ]
    return write_template("教材目录", columns, notes)


def parse_textbooks_xlsx(session: Session, data: bytes) -> list[rules.Textbook]:
    """Every row of an uploaded textbook sheet, or SpreadsheetInvalid listing every bad cell."""
    from workflows.spreadsheets import CellError, SpreadsheetInvalid, read_sheet, text

    sheet = read_sheet(data, TEXTBOOK_COLUMNS)
    known = occupations(session)
    errors: list[CellError] = []
    items: list[rules.Textbook] = []
    first_row: dict[str, int] = {}
    for number, values in sheet.rows:
        row_errors: list[CellError] = []
        raw_isbn = text(sheet.value(values, "ISBN"))
        problem = rules.isbn_error(raw_isbn)
        isbn = "" if problem else rules.normalize_isbn(raw_isbn)
        if problem:
            row_errors.append(CellError(number, "ISBN", problem))
        elif isbn in first_row:
            row_errors.append(CellError(number, "ISBN", f"与第{first_row[isbn]}行的ISBN重复"))
        else:
            first_row[isbn] = number
        title, publisher = text(sheet.value(values, "书名")), text(sheet.value(values, "出版社"))
        for column, value, limit in (("书名", title, 200), ("出版社", publisher, 100)):
            if not value:
                row_errors.append(CellError(number, column, f"{column}不能为空"))
            elif len(value) > limit:
                row_errors.append(CellError(number, column, f"{column}不能超过{limit}个字"))
        raw_category = text(sheet.value(values, "课程类别"))
        category = _CATEGORY_BY_LABEL.get(raw_category, raw_category)
        if category not in rules.COURSE_CATEGORIES:
            row_errors.append(CellError(number, "课程类别", f"课程类别“{raw_category}”无效，应为"
                                        + "、".join(rules.COURSE_CATEGORIES.values())))
        codes = split_list(text(sheet.value(values, "适用职业代码")))
        malformed = [c for c in codes if not OCCUPATION_CODE.match(c)]
        unknown = [c for c in codes if OCCUPATION_CODE.match(c) and c not in known]
        if malformed:
            row_errors.append(CellError(number, "适用职业代码", f"职业代码格式应为 6-18-01-01：{'、'.join(malformed)}"))
        if unknown:
            row_errors.append(CellError(number, "适用职业代码", f"职业代码不在职业目录内：{'、'.join(unknown)}"))
        if row_errors:
            errors.extend(row_errors)
        else:
            items.append(rules.Textbook(isbn, title, publisher, category, tuple(codes)))
    if errors:
        raise SpreadsheetInvalid(errors)
    if not items:
        raise SpreadsheetInvalid([CellError(2, "ISBN", "表格中没有教材数据")])
    return items


def import_textbooks_xlsx(session: Session, data: bytes, replace: bool = False) -> int:
    """Import an uploaded sheet: all rows or none. Returns the number of rows imported."""
    ensure_loaded(session)
    items = parse_textbooks_xlsx(session, data)
    return upsert_textbooks(session, items, replace=replace)


def import_csv_files(session: Session, occupations_path: Path | None = None, textbooks_path: Path | None = None,
                     replace: bool = False) -> dict[str, int]:
    """Load CSV files (default: the shipped ones) into the tables; ValueError lists bad lines."""
    occ = (rules.load_occupations_csv(occupations_path.read_text(encoding="utf-8")) if occupations_path
           else list(shipped_occupations()))
    books = (rules.load_textbooks_csv(textbooks_path.read_text(encoding="utf-8")) if textbooks_path
             else list(shipped_textbooks()))
    return {"occupation": upsert_occupations(session, occ, replace=replace),
            "textbook": upsert_textbooks(session, books, replace=replace)}


def occupation_rows(session: Session, q: str = "") -> Sequence[rules.Occupation]:
    """Occupations for the admin list, filtered by code, name, alias or job post."""
    items = list(occupations(session).values())
    q = (q or "").strip()
    if not q:
        return items
    return [o for o in items if q in o.code or q in o.name or any(q in a for a in (*o.aliases, *o.job_posts))]


def textbook_rows(session: Session, q: str = "", category: str = "") -> Sequence[rules.Textbook]:
    """Textbooks for the admin list, filtered by ISBN, title or publisher and by category."""
    items = list(textbooks(session).values())
    q = (q or "").strip()
    if category:
        items = [t for t in items if t.category == category]
    if q:
        digits = q.replace("-", "")
        items = [t for t in items if digits in t.isbn or q in t.title or q in t.publisher]
    return items
