"""Reference catalogues: occupations (职业工种) and the national planning textbook catalogue (R2, R9).

The catalogues live in the database (tables ``occupation`` and ``textbook``), where admins edit them;
the data files shipped in ``data/`` are loaded on first use (``ensure_loaded``, ``flask catalogues
import``) and are what ``occupations()`` / ``textbooks()`` return while the tables are empty.

Reads are cached per process and keyed by a random token in ``catalogue_revision`` that every change
replaces, so a read costs one primary-key query and a change made by any process is seen at once.
``occupations()`` and ``textbooks()`` take an optional session; without one they use the session the
web layer registered with ``use_session`` (Flask-SQLAlchemy's scoped session), else the data files.

This module is the public face of the catalogues; the code lives in ``catalogue_reads`` (data files,
cached reads, admin lists), ``catalogue_admin`` (edits, upserts, CSV import) and ``catalogue_excel``
(textbook template and Excel import), all re-exported here.
"""

from __future__ import annotations

from workflows.catalogue_admin import (
    OCCUPATION_CODE,
    OccupationInput,
    TextbookInput,
    delete_entry,
    ensure_loaded,
    import_csv_files,
    occupation_errors,
    save_occupation,
    save_textbook,
    split_list,
    textbook_errors,
    touch,
    upsert_occupations,
    upsert_textbooks,
)
from workflows.catalogue_excel import TEXTBOOK_COLUMNS, import_textbooks_xlsx, parse_textbooks_xlsx, textbook_template
from workflows.catalogue_reads import (
    DATA_DIR,
    find_textbook,
    is_loaded,
    occupation_rows,
    occupations,
    shipped_occupations,
    shipped_textbooks,
    textbook_rows,
    textbooks,
    use_session,
)

__all__ = [
    "DATA_DIR", "OCCUPATION_CODE", "TEXTBOOK_COLUMNS", "OccupationInput", "TextbookInput", "delete_entry",
    "ensure_loaded", "find_textbook", "import_csv_files", "import_textbooks_xlsx", "is_loaded",
    "occupation_errors", "occupation_rows", "occupations", "parse_textbooks_xlsx", "save_occupation",
    "save_textbook", "shipped_occupations", "shipped_textbooks", "split_list", "textbook_errors",
    "textbook_rows", "textbook_template", "textbooks", "touch", "upsert_occupations", "upsert_textbooks",
    "use_session",
]
