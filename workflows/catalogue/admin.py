"""Changing the reference catalogues: the admin screen's create / update / delete with their field checks,
bulk upserts (CSV files, Excel import) and ``touch``, which makes every process reload a catalogue.

Nothing here commits: callers own the unit of work.
"""

from __future__ import annotations

import codecs
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workflows.catalogue.reads import is_loaded, occupations, shipped_occupations, shipped_textbooks
from workflows.db import utcnow
from workflows.errors import ValidationFailed
from workflows.models import CatalogueRevision, CatalogueSource
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


@dataclass(frozen=True)
class Source:
    """A catalogue's provenance as given with an import."""

    document: str
    edition: str = ""
    published_on: date | None = None
    illustrative: bool = False


# What the files in data/ are: illustrative demo data, not the official catalogues (README, "随系统提供的数据").
SHIPPED_SOURCES = {
    "occupation": Source("随系统提供的示意数据 data/occupations.csv（46个常见职业，取自2022年版职业分类大典的"
                         "代码和名称，"
                         "别名、岗位和等级为示意）", "演示版", None, illustrative=True),
    "textbook": Source("随系统提供的示意数据 data/textbooks.csv（50种教材，ISBN为占位号，"
                       "并非全国职业培训规划教材目录）",
                       "演示版", None, illustrative=True),
}


def record_source(session: Session, name: str, source: Source, by: str) -> CatalogueSource:
    """Write where catalogue ``name`` now comes from (who imported it and when: now)."""
    row = session.get(CatalogueSource, name)
    if row is None:
        row = CatalogueSource(name=name)
        session.add(row)
    row.source_document, row.edition = source.document.strip()[:300], source.edition.strip()[:100]
    row.published_on, row.illustrative = source.published_on, source.illustrative
    row.imported_by_name, row.imported_at = by, utcnow()
    session.flush()
    return row


def ensure_loaded(session: Session, by: str = "系统") -> dict[str, int]:
    """Load the shipped data files into empty tables (first use); returns rows added per table."""
    loaded = is_loaded(session)
    added = {"occupation": 0, "textbook": 0}
    if not loaded["occupation"]:
        added["occupation"] = upsert_occupations(session, shipped_occupations())
        record_source(session, "occupation", SHIPPED_SOURCES["occupation"], by)
    if not loaded["textbook"]:
        added["textbook"] = upsert_textbooks(session, shipped_textbooks())
        record_source(session, "textbook", SHIPPED_SOURCES["textbook"], by)
    return added


def source_errors(source: Source) -> dict[str, list[str]]:
    """Field -> Chinese messages for the provenance typed with an import."""
    errors: dict[str, list[str]] = {}
    if not source.document.strip():
        errors["source_document"] = ["请填写来源文件，如 中华人民共和国职业分类大典（2022年版）"]
    elif len(source.document.strip()) > 300:
        errors["source_document"] = ["来源文件不能超过300字"]
    if len(source.edition.strip()) > 100:
        errors["edition"] = ["版本不能超过100字"]
    return errors


def imported_source(session: Session, name: str, source: Source, replace: bool) -> Source:
    """The provenance after an import: still illustrative when official rows were only added to the
    illustrative demo data (without replacing it)."""
    previous = session.get(CatalogueSource, name)
    mixed = previous is not None and previous.illustrative and not replace
    if not mixed:
        return source
    return Source(f"{source.document.strip()}（与随系统提供的示意数据混合，请勾选“替换整个目录”重新导入）",
                  source.edition, source.published_on, illustrative=True)


CSV_ENCODINGS = (("utf-8", "UTF-8"), ("gb18030", "GB18030/GBK"))


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text of a CSV file in UTF-8 (with or without BOM) or GB18030/GBK, and which it was (in Chinese).
    ValueError with a Chinese message for anything else."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8（带BOM）"
        except UnicodeDecodeError as exc:
            raise ValueError(f"文件以UTF-8标记开头，但第{exc.start + 1}个字节起不是有效的UTF-8编码") from exc
    for encoding, label in CSV_ENCODINGS:
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise ValueError("无法识别文件编码：请将CSV另存为UTF-8或GBK（GB18030）编码后重试")


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
class ImportResult:
    """What a CSV import did: rows per catalogue and the encoding each file was read in."""

    counts: dict[str, int]
    encodings: dict[str, str]


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
                     replace: bool = False, source: Source | None = None, by: str = "系统") -> ImportResult:
    """Load CSV files (default: the shipped ones) into the tables, recording the provenance of each (the
    shipped files are illustrative); files may be UTF-8 (with or without BOM) or GB18030/GBK. ValueError
    lists bad lines, or says the encoding is not one of those."""
    encodings: dict[str, str] = {}
    if occupations_path:
        text, encodings["occupation"] = decode_csv(occupations_path.read_bytes())
        occ = ids.load_occupations_csv(text)
    else:
        occ = list(shipped_occupations())
    if textbooks_path:
        text, encodings["textbook"] = decode_csv(textbooks_path.read_bytes())
        books = ids.load_textbooks_csv(text)
    else:
        books = list(shipped_textbooks())
    if source is not None and (occupations_path or textbooks_path):
        errors = source_errors(source)
        if errors:
            raise ValueError("；".join(m for ms in errors.values() for m in ms))
    counts = {"occupation": upsert_occupations(session, occ, replace=replace),
              "textbook": upsert_textbooks(session, books, replace=replace)}
    for name, given in (("occupation", occupations_path), ("textbook", textbooks_path)):
        chosen = imported_source(session, name, source, replace) if given and source else SHIPPED_SOURCES[name]
        if given and source is None:
            chosen = Source(f"{given.name}（未注明来源文件）", "", None, illustrative=False)
        record_source(session, name, chosen, by)
    return ImportResult(counts, encodings)
