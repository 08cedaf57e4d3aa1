"""The catalogues and policy versions in the admin area: admins load the shipped data files, edit and
delete entries and import Excel sheets (each change in the security log); city staff and admins read
the catalogues, the policy versions and how many filings each version judged.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflows.accounts.admin.access import require
from workflows.cases import unit_of_work
from workflows.catalogue import admin as catalogue_admin
from workflows.catalogue import excel as catalogue_excel
from workflows.dto import Actor
from workflows.errors import NotFound
from workflows.models import Filing
from workflows.security import log


def catalogue_view(session: Session, actor: Actor) -> None:
    """City staff and admins may read the catalogues and the policy versions."""
    require(actor, "city", "admin")


def load_shipped_catalogues(session: Session, actor: Actor) -> dict[str, int]:
    """Load the data files shipped in data/ into the empty catalogue tables."""
    with unit_of_work(session):
        require(actor, "admin")
        added = catalogue_admin.ensure_loaded(session, by=actor.name)
        log.record_actor(session, actor, "catalogue_change", "catalogue", {"op": "load_shipped", "added": added})
    return added


def save_occupation(session: Session, actor: Actor, data: catalogue_admin.OccupationInput,
                    original_code: str | None = None) -> str:
    with unit_of_work(session):
        require(actor, "admin")
        code = catalogue_admin.save_occupation(session, data, original_code).code
        log.record_actor(session, actor, "catalogue_change", f"occupation:{code}",
                         {"op": "save", "original": original_code, "name": data.name})
    return code


def save_textbook(session: Session, actor: Actor, data: catalogue_admin.TextbookInput,
                  original_isbn: str | None = None) -> str:
    with unit_of_work(session):
        require(actor, "admin")
        isbn = catalogue_admin.save_textbook(session, data, original_isbn).isbn
        log.record_actor(session, actor, "catalogue_change", f"textbook:{isbn}",
                         {"op": "save", "original": original_isbn, "title": data.title})
    return isbn


def delete_catalogue_entry(session: Session, actor: Actor, name: str, key: str) -> None:
    with unit_of_work(session):
        require(actor, "admin")
        if name not in ("occupation", "textbook") or not catalogue_admin.delete_entry(session, name, key):
            raise NotFound("未找到该条目。")
        log.record_actor(session, actor, "catalogue_change", f"{name}:{key}", {"op": "delete"})


def import_textbooks(session: Session, actor: Actor, data: bytes, replace: bool = False,
                     source: catalogue_admin.Source | None = None) -> int:
    """Excel import of the textbook catalogue: every row or none (SpreadsheetInvalid lists the errors),
    recording its provenance (source document, edition, date; who and when)."""
    with unit_of_work(session):
        require(actor, "admin")
        count = catalogue_excel.import_textbooks_xlsx(session, data, replace=replace, source=source, by=actor.name)
        log.record_actor(session, actor, "catalogue_change", "textbook", {"op": "import", "rows": count,
                                                                          "replace": replace})
    return count


def import_occupations(session: Session, actor: Actor, data: bytes, replace: bool = False,
                       source: catalogue_admin.Source | None = None) -> int:
    """Excel import of the occupation catalogue (every row or none), recording its provenance."""
    with unit_of_work(session):
        require(actor, "admin")
        count = catalogue_excel.import_occupations_xlsx(session, data, replace=replace, source=source,
                                                        by=actor.name)
        log.record_actor(session, actor, "catalogue_change", "occupation", {"op": "import", "rows": count,
                                                                            "replace": replace})
    return count


def filings_per_policy_version(session: Session, actor: Actor) -> dict[int | None, int]:
    """How many filings were judged by each policy version (None: submitted before any version)."""
    require(actor, "city", "admin")
    return {r[0]: int(r[1]) for r in session.execute(
        select(Filing.policy_version_id, func.count()).where(Filing.submitted_at.is_not(None))
        .group_by(Filing.policy_version_id))}
