"""Empty databases of their own for tests that migrate, restore or serve (apart from the suite's shared one):
a SQLite file, or — when TEST_DATABASE_URL points at PostgreSQL — a database named after it plus a suffix
(and the xdist worker), dropped and created anew."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BACKENDS = ["sqlite", "postgresql"]


def postgres_base() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def empty_database(backend: str, tmp_path: Path, suffix: str) -> str:
    """The URL of a new, empty database (skips PostgreSQL when the suite has none)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'{suffix}.db'}"
    base = postgres_base()
    if base is None:
        pytest.skip("PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://... (CI sets it)")
    url = make_url(base)
    name = f"{url.database}_{suffix}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()
