"""The database's migration state: the chain's heads, the database's revision, and adopting databases
stamped with ``79d457bd8f7f``.

The first migration was once regenerated in place: databases made before that carry the revision id
79d457bd8f7f, which no file has any more. Its schema is the baseline d9e1c58d09a5's except for one index
(``ix_workflow_instance_kind_district_status``) and column order. ``adopt_legacy_stamp`` checks that a
database stamped so has exactly the baseline's tables and columns, creates the indexes the baseline has and
it lacks, and restamps it d9e1c58d09a5; `flask init-db` then upgrades it like any other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.engine import Connection, Engine

BASELINE = "d9e1c58d09a5"
LEGACY_STAMPS = {"79d457bd8f7f": BASELINE}


# Indexes some revisions create with raw SQL on one database only, which the models do not describe
# (13b5ca1e0001: pg_trgm GIN indexes for the case search on PostgreSQL). Autogenerate and `flask db check`
# skip them instead of reporting them as drift.
DATABASE_ONLY_INDEX_SUFFIXES = ("_trgm",)


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's include_object hook (create_app hands it to Flask-Migrate; tests pass it to compare_metadata)."""
    return not (type_ == "index" and reflected and compare_to is None and name is not None
                and name.endswith(DATABASE_ONLY_INDEX_SUFFIXES))


def migrations_dir() -> Path:
    """migrations/: inside the webapp package when installed from a wheel, at the checkout root otherwise."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "migrations"
    return installed if (installed / "env.py").is_file() else here.parent / "migrations"


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def head_revisions() -> set[str]:
    """The revisions at the end of the migration chain (one, unless two helpers' branches meet)."""
    return set(script().get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


@dataclass
class Adoption:
    """What ``adopt_legacy_stamp`` found: the old stamp (None: nothing to adopt), what differs, what it did."""

    stamp: str | None = None
    problems: list[str] = field(default_factory=list)
    created_indexes: list[str] = field(default_factory=list)


def baseline_shape() -> dict[str, tuple[set[str], dict[str, tuple[list[str], bool]]]]:
    """Tables of the baseline migration -> (column names, index name -> (columns, unique)), read by running
    the baseline's own upgrade() on a scratch in-memory SQLite database."""
    module = script().get_revision(BASELINE).module
    scratch = sa.create_engine("sqlite://")
    with scratch.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            module.upgrade()
        shape = _shape(connection)
    scratch.dispose()
    return shape


def _shape(connection: Connection) -> dict[str, tuple[set[str], dict[str, tuple[list[str], bool]]]]:
    inspector = sa.inspect(connection)
    return {table: ({column["name"] for column in inspector.get_columns(table)},
                    {str(index["name"]): ([str(c) for c in index["column_names"]], bool(index["unique"]))
                     for index in inspector.get_indexes(table)})
            for table in inspector.get_table_names() if table != "alembic_version"}


def adopt_legacy_stamp(engine: Engine) -> Adoption:
    """Restamp a database carrying a known old revision id whose schema matches the baseline (see module)."""
    with engine.begin() as connection:
        heads = set(MigrationContext.configure(connection).get_current_heads())
        legacy = sorted(heads & set(LEGACY_STAMPS))
        if not legacy:
            return Adoption()
        stamp = legacy[0]
        adoption = Adoption(stamp=stamp)
        expected, actual = baseline_shape(), _shape(connection)
        for table, (columns, _indexes) in sorted(expected.items()):
            if table not in actual:
                adoption.problems.append(f"缺少表 {table}")
                continue
            missing, extra = columns - actual[table][0], actual[table][0] - columns
            if missing:
                adoption.problems.append(f"表 {table} 缺少列 {', '.join(sorted(missing))}")
            if extra:
                adoption.problems.append(f"表 {table} 多出列 {', '.join(sorted(extra))}")
        for table in sorted(set(actual) - set(expected)):
            adoption.problems.append(f"多出表 {table}")
        if adoption.problems:
            return adoption
        metadata = sa.MetaData()
        for table, (_columns, indexes) in sorted(expected.items()):
            for name, (index_columns, unique) in sorted(indexes.items()):
                if name not in actual[table][1]:
                    reflected = sa.Table(table, metadata, autoload_with=connection)
                    sa.Index(name, *[reflected.c[c] for c in index_columns], unique=unique).create(connection)
                    adoption.created_indexes.append(name)
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
                           {"new": LEGACY_STAMPS[stamp], "old": stamp})
    return adoption
