"""Reference catalogues: occupations (职业工种) and the national planning textbook catalogue.

Read from the data files shipped in data/ (admins can edit and re-import them).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from workflows import rules

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def occupations() -> dict[str, rules.Occupation]:
    text = (DATA_DIR / "occupations.csv").read_text(encoding="utf-8")
    return {o.code: o for o in rules.load_occupations_csv(text)}


@lru_cache(maxsize=1)
def textbooks() -> dict[str, rules.Textbook]:
    text = (DATA_DIR / "textbooks.csv").read_text(encoding="utf-8")
    return {t.isbn: t for t in rules.load_textbooks_csv(text)}
