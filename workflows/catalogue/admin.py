"""Changing the reference catalogues: the admin screen's create / update / delete with their field checks,
bulk upserts (CSV files, Excel import) and ``touch``, which makes every process reload a catalogue.

Nothing here commits: callers own the unit of work.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workflows.catalogue.reads import is_loaded, occupations, shipped_occupations, shipped_textbooks
from workflows.db import utcnow
from workflows.errors import ValidationFailed
from workflows.models import CatalogueRevision
from workflows.models import Occupation as OccupationRow
from workflows.models import Textbook as TextbookRow
from workflows.rules import ids

OCCUPATION_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
_SEPARATORS = re.compile(r"[|｜、,，;；\n\r]+")


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


CatalogueRow = TypeVar("CatalogueRow", OccupationRow, TextbookRow)


def _next_seq(session: Session, model: type[OccupationRow] | type[TextbookRow]) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.seq), -1))) or 0) + 1


def _upsert(session: Session, model: type[OccupationRow] | type[TextbookRow], key: str, items: list[Any],
            fill: Callable[[Any, Any], None], name: str, replace: bool) -> int:
    """Insert or update ``items`` by their ``key`` (the same attribute on item and row; new rows go last in
    ``seq`` order), each row filled by ``fill(row, item)``; with ``replace`` delete the rows not given. Then
    ``touch`` catalogue ``name``."""
    existing: dict[str, Any] = {getattr(r, key): r for r in session.scalars(select(model))}
    next_seq = _next_seq(session, model)
    for item in items:
        row = existing.get(getattr(item, key))
        if row is None:
            row = model(**{key: getattr(item, key)}, seq=next_seq)
            next_seq += 1
            session.add(row)
        fill(row, item)
    if replace:
        keep = {getattr(item, key) for item in items}
        stale = [k for k in existing if k not in keep]
        if stale:
            session.execute(delete(model).where(getattr(model, key).in_(stale)))
    touch(session, name)
    return len(items)


def _fill_occupation(row: OccupationRow, o: ids.Occupation) -> None:
    row.name, row.aliases, row.job_posts = o.name, list(o.aliases), list(o.job_posts)
    row.shortage = bool(o.shortage)
    row.levels = sorted({int(x) for x in o.levels}, reverse=True)


def _fill_textbook(row: TextbookRow, t: ids.Textbook) -> None:
    row.title, row.publisher, row.category = t.title, t.publisher, t.category
    row.occupation_codes = list(t.occupation_codes)


def upsert_occupations(session: Session, items: Iterable[ids.Occupation], replace: bool = False) -> int:
    """Insert or update occupations by code; with ``replace`` delete the ones not given."""
    return _upsert(session, OccupationRow, "code", list(items), _fill_occupation, "occupation", replace)


def upsert_textbooks(session: Session, items: Iterable[ids.Textbook], replace: bool = False) -> int:
    """Insert or update textbooks by ISBN; with ``replace`` delete the ones not given."""
    return _upsert(session, TextbookRow, "isbn", list(items), _fill_textbook, "textbook", replace)


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
    shortage: bool = False


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
    if not data.levels or any(level not in ids.LEVELS for level in data.levels):
        errors["levels"] = ["请至少选择一个技能等级"]
    return errors


def textbook_errors(data: TextbookInput, session: Session, original_isbn: str | None) -> dict[str, list[str]]:
    """Field -> Chinese messages for a textbook typed on the admin screen (or one Excel row)."""
    errors: dict[str, list[str]] = {}
    problem = ids.isbn_error(data.isbn)
    if problem:
        errors["isbn"] = [problem]
    elif ids.normalize_isbn(data.isbn) != original_isbn and \
            session.get(TextbookRow, ids.normalize_isbn(data.isbn)) is not None:
        errors["isbn"] = [f"ISBN {ids.normalize_isbn(data.isbn)} 已在目录中"]
    for field, label, limit in (("title", "书名", 200), ("publisher", "出版社", 100)):
        value = getattr(data, field).strip()
        if not value:
            errors[field] = [f"请填写{label}"]
        elif len(value) > limit:
            errors[field] = [f"{label}不能超过{limit}个字"]
    if data.category not in ids.COURSE_CATEGORIES:
        errors["category"] = ["请选择有效的课程类别"]
    known = occupations(session)
    bad = [c for c in data.occupation_codes if c not in known]
    if bad:
        errors["occupation_codes"] = [f"职业代码不在职业目录内：{'、'.join(bad)}"]
    return errors


def _keyed_row(session: Session, model: type[CatalogueRow], key_name: str, key: str, original: str | None
               ) -> CatalogueRow:
    """The row stored under ``key``, new if there is none; when an edit changed the key, the row under
    ``original`` gives way and the new one takes its place in the list."""
    seq = None
    if original and original != key:
        old = session.get(model, original)
        if old is not None:
            seq = old.seq
            session.delete(old)
            session.flush()
    row = session.get(model, key)
    if row is None:
        row = model(**{key_name: key}, seq=_next_seq(session, model) if seq is None else seq)
        session.add(row)
    return row


def save_occupation(session: Session, data: OccupationInput, original_code: str | None = None) -> OccupationRow:
    """Create (``original_code`` None) or update an occupation; ValidationFailed lists bad fields."""
    ensure_loaded(session)
    errors = occupation_errors(data, session, original_code)
    if errors:
        raise ValidationFailed("职业信息有误，请修改标出的内容。", errors)
    row = _keyed_row(session, OccupationRow, "code", data.code.strip(), original_code)
    row.name = data.name.strip()
    row.aliases, row.job_posts = list(data.aliases), list(data.job_posts)
    row.levels = sorted(set(data.levels), reverse=True)
    row.shortage = bool(data.shortage)
    touch(session, "occupation")
    return row


def save_textbook(session: Session, data: TextbookInput, original_isbn: str | None = None) -> TextbookRow:
    """Create or update a textbook entry; ValidationFailed lists bad fields."""
    ensure_loaded(session)
    errors = textbook_errors(data, session, original_isbn)
    if errors:
        raise ValidationFailed("教材信息有误，请修改标出的内容。", errors)
    row = _keyed_row(session, TextbookRow, "isbn", ids.normalize_isbn(data.isbn), original_isbn)
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


def import_csv_files(session: Session, occupations_path: Path | None = None, textbooks_path: Path | None = None,
                     replace: bool = False) -> dict[str, int]:
    """Load CSV files (default: the shipped ones) into the tables; ValueError lists bad lines."""
    occ = (ids.load_occupations_csv(occupations_path.read_text(encoding="utf-8")) if occupations_path
           else list(shipped_occupations()))
    books = (ids.load_textbooks_csv(textbooks_path.read_text(encoding="utf-8")) if textbooks_path
             else list(shipped_textbooks()))
    return {"occupation": upsert_occupations(session, occ, replace=replace),
            "textbook": upsert_textbooks(session, books, replace=replace)}
