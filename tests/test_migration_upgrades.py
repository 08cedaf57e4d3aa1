"""Migrations form one chain from the frozen baseline d9e1c58d09a5: a database created at the baseline (with
rows in it) upgrades to head on SQLite and PostgreSQL, `flask db check` then finds no drift, and a database
made by the first release (stamped 79d457bd8f7f, built by that release's own migration file) is adopted by
`flask init-db` and upgraded like any other. Works for any number of revisions after the baseline."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from config import TestConfig
from tests.databases import BACKENDS, drop_database, empty_database
from webapp import create_app
from webapp.extensions import db
from webapp.ops import schema
from workflows.db import Base

LEGACY_FILE = Path(__file__).parent / "data" / "legacy_79d457bd8f7f_initial_schema.py"


def app_on(url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = str(tmp_path / "uploads")

    return create_app(Cfg)


def no_drift(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": schema.include_object})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diffs


def seed_baseline_rows(connection) -> None:  # type: ignore[no-untyped-def]
    connection.execute(text("INSERT INTO district (code, name) VALUES ('440106', '天河区')"))
    connection.execute(text(
        "INSERT INTO user_account (username, password_hash, display_name, role, district_code, active, created_at)"
        " VALUES ('review-440106', 'x', '天河区审核员', 'district', '440106', true, CURRENT_TIMESTAMP)"))


def test_the_revisions_form_one_chain_from_the_frozen_baseline(tmp_path: Path) -> None:
    app = app_on(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    with app.app_context():
        script = schema.script()
        heads = script.get_heads()
        assert len(heads) == 1, f"the migrations branch: heads {heads} (re-chain them on d9e1c58d09a5)"
        chain = [revision.revision for revision in script.walk_revisions()]
        assert chain[-1] == schema.BASELINE and script.get_revision(schema.BASELINE).down_revision is None
        assert all(script.get_revision(r).down_revision for r in chain[:-1])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_baseline_database_upgrades_to_head_without_drift(backend: str, tmp_path: Path) -> None:
    url = empty_database(backend, tmp_path, "baseline")
    try:
        app = app_on(url, tmp_path)
        with app.app_context():
            upgrade(revision=schema.BASELINE)
            assert schema.current_revisions(db.engine) == {schema.BASELINE}
            with db.engine.begin() as connection:
                seed_baseline_rows(connection)
            upgrade()
            assert schema.current_revisions(db.engine) == schema.head_revisions()
            with db.engine.connect() as connection:
                assert connection.execute(text("SELECT username FROM user_account")).scalar() == "review-440106"
            db.engine.dispose()
        assert no_drift(url) == []
        check = app.test_cli_runner().invoke(args=["db", "check"])
        assert check.exit_code == 0, check.output
    finally:
        drop_database(url)


def build_legacy_database(url: str) -> None:
    """The first release's database: its own migration file run, then stamped with its revision id."""
    spec = importlib.util.spec_from_file_location("legacy_initial_schema", LEGACY_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = create_engine(url)
    with engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            module.upgrade()
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('79d457bd8f7f')"))
        seed_baseline_rows(connection)
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_init_db_adopts_a_database_stamped_by_the_first_release(backend: str, tmp_path: Path) -> None:
    url = empty_database(backend, tmp_path, "legacy")
    try:
        build_legacy_database(url)
        app = app_on(url, tmp_path)
        # `flask db upgrade` alone cannot: the old id is in no revision file.
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "旧迁移版本 79d457bd8f7f 的结构与基线一致，已改记为 d9e1c58d09a5" in result.output
        assert "ix_workflow_instance_kind_district_status" in result.output
        with app.app_context():
            assert schema.current_revisions(db.engine) == schema.head_revisions()
            with db.engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM user_account")).scalar() == 1
            db.engine.dispose()
        assert no_drift(url) == []
        again = app.test_cli_runner().invoke(args=["init-db"])
        assert again.exit_code == 0 and "旧迁移版本" not in again.output
    finally:
        drop_database(url)


def test_init_db_refuses_an_old_stamp_whose_schema_differs(tmp_path: Path) -> None:
    url = empty_database("sqlite", tmp_path, "odd")
    build_legacy_database(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE notification DROP COLUMN link"))
    app = app_on(url, tmp_path)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1 and "表 notification 缺少列 link" in result.output, result.output
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "79d457bd8f7f"
        assert "ix_workflow_instance_kind_district_status" not in {
            i["name"] for i in inspect(connection).get_indexes("workflow_instance")}
    engine.dispose()
