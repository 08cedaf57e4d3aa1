"""Reading the reference catalogues (occupations 职业工种, planning textbooks): the shipped data files,
the database tables behind a per-process cache, and the filtered lists of the admin screens.

Reads are cached per process and keyed by a random token in ``catalogue_revision`` that every change
replaces (``catalogue_admin.touch``), so a read costs one primary-key query and a change made by any
process is seen at once. Without a session, reads use the one registered with ``use_session``, else the
data files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.models import CatalogueRevision, CatalogueSource
from workflows.models import Occupation as OccupationRow
from workflows.models import Textbook as TextbookRow
from workflows.rules import ids

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

_session_provider: Callable[[], Session] | None = None
_cache: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {}


def use_session(provider: Callable[[], Session] | None) -> None:
    """Register where ``occupations()`` / ``textbooks()`` find a session when none is passed."""
    global _session_provider
    _session_provider = provider


# --------------------------------------------------------------------------------------------------
# The shipped data files


@lru_cache(maxsize=1)
def shipped_occupations() -> tuple[ids.Occupation, ...]:
    """``data/occupations.csv`` parsed (raises ValueError listing bad lines)."""
    return tuple(ids.load_occupations_csv((DATA_DIR / "occupations.csv").read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def shipped_textbooks() -> tuple[ids.Textbook, ...]:
    """``data/textbooks.csv`` parsed (raises ValueError listing bad lines)."""
    return tuple(ids.load_textbooks_csv((DATA_DIR / "textbooks.csv").read_text(encoding="utf-8")))


# --------------------------------------------------------------------------------------------------
# Reads


def occupations(session: Session | None = None) -> dict[str, ids.Occupation]:
    """Occupations by code (catalogue order). Treat the result as read-only: it is shared."""
    return _read("occupation", session)


def textbooks(session: Session | None = None) -> dict[str, ids.Textbook]:
    """Textbooks by compact ISBN-13. Treat the result as read-only: it is shared."""
    return _read("textbook", session)


def find_textbook(isbn: str, session: Session | None = None) -> ids.Textbook | None:
    """The catalogue entry for an ISBN as typed (hyphens, ISBN-10 accepted), or None."""
    if not (isbn or "").strip() or ids.isbn_error(isbn):
        return None
    return textbooks(session).get(ids.normalize_isbn(isbn))


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


def _occupation(row: OccupationRow) -> ids.Occupation:
    return ids.Occupation(row.code, row.name, tuple(row.aliases or ()), tuple(row.job_posts or ()),
                            tuple(sorted((int(x) for x in row.levels or ()), reverse=True)), bool(row.shortage))


def _textbook(row: TextbookRow) -> ids.Textbook:
    return ids.Textbook(row.isbn, row.title, row.publisher, row.category, tuple(row.occupation_codes or ()))


def is_loaded(session: Session) -> dict[str, bool]:
    """Whether each table holds rows (False: reads fall back to the shipped data file)."""
    if not _has_tables(session):
        return {"occupation": False, "textbook": False}
    return {
        "occupation": bool(session.scalar(select(func.count()).select_from(OccupationRow))),
        "textbook": bool(session.scalar(select(func.count()).select_from(TextbookRow))),
    }


def occupation_options(session: Session | None = None) -> list[dict[str, str]]:
    """The occupation picker's entries (code, name, aliases and typical posts as one search string, label),
    catalogue order; built once per catalogue revision."""
    catalogue = occupations(session)
    cached = _options_cache.get("occupation")
    if cached is not None and cached[0] is catalogue:
        return cached[1]
    options = [{"code": o.code, "name": o.name, "aliases": " ".join((*o.aliases, *o.job_posts)),
                "label": f"{o.code} {o.name}"} for o in catalogue.values()]
    _options_cache["occupation"] = (catalogue, options)
    return options


_options_cache: dict[str, tuple[dict[str, Any], list[dict[str, str]]]] = {}


CATALOGUE_LABELS = {"occupation": "职业（工种）目录", "textbook": "教材目录"}


def sources(session: Session) -> dict[str, CatalogueSource | None]:
    """Each catalogue's provenance (None: never imported; reads use the shipped, illustrative files)."""
    if not _has_tables(session):
        return {"occupation": None, "textbook": None}
    return {name: session.get(CatalogueSource, name) for name in CATALOGUE_LABELS}


def illustrative_in_use(session: Session) -> list[str]:
    """The catalogues (labels) whose rows are the illustrative demo data shipped in data/."""
    return [CATALOGUE_LABELS[name] for name, row in sources(session).items() if row is None or row.illustrative]


def occupation_rows(session: Session, q: str = "") -> Sequence[ids.Occupation]:
    """Occupations for the admin list, filtered by code, name, alias or job post."""
    items = list(occupations(session).values())
    q = (q or "").strip()
    if not q:
        return items
    return [o for o in items if q in o.code or q in o.name or any(q in a for a in (*o.aliases, *o.job_posts))]


def textbook_rows(session: Session, q: str = "", category: str = "") -> Sequence[ids.Textbook]:
    """Textbooks for the admin list, filtered by ISBN, title or publisher and by category."""
    items = list(textbooks(session).values())
    q = (q or "").strip()
    if category:
        items = [t for t in items if t.category == category]
    if q:
        digits = q.replace("-", "")
        items = [t for t in items if digits in t.isbn or q in t.title or q in t.publisher]
    return items
