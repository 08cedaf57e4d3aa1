"""Shared fixtures: the real app on a real database (SQLite file by default, PostgreSQL when
TEST_DATABASE_URL is set), emptied between tests, plus factories for actors and filings."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from config import TestConfig
from webapp import create_app
from webapp.extensions import db
from workflows import policy
from workflows.db import Base
from workflows.dto import Actor


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _per_worker_database(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _per_worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (created on first use)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(autouse=True)
def _required_attachments(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests written before filings carried supporting documents submit without them: they run under a
    policy requiring no document kind. Tests marked ``required_attachments`` get the shipped defaults
    (labour contract and training agreement; 学生学徒 also the school agreement)."""
    if request.node.get_closest_marker("required_attachments") is None:
        monkeypatch.setattr(policy, "DEFAULT_REQUIRED_ATTACHMENTS",
                            {kind: () for kind in policy.DEFAULT_REQUIRED_ATTACHMENTS})
        monkeypatch.setattr(policy, "DEFAULTS", policy.PolicyParams())


@pytest.fixture(scope="session", autouse=True)
def _features() -> None:
    """Engine tests that run without the app still need the features registered (create_app does it)."""
    from workflows import features, service

    features.install()
    service.configure_pii(TestConfig.PII_KEY)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    url = _database_url(tmp_path_factory)
    upload_dir = str(tmp_path_factory.mktemp("uploads"))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = upload_dir

    application = create_app(Cfg)
    # Every test request gets its own app context (own `g`, own db session), as in production; the
    # `session` fixture keeps a context pushed for the whole test, which Flask would otherwise reuse.
    from tests.test_web_helpers import RequestContextClient

    application.test_client_class = RequestContextClient
    with application.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _truncate() -> None:
    from workflows import store

    store.clear_caches()
    policy.clear_cache()
    # DELETE in dependency order: on these small tables it takes milliseconds where PostgreSQL's
    # TRUNCATE of every table takes most of a second.
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture()
def session(app) -> Iterator:  # type: ignore[no-untyped-def]
    """A clean database and the Flask-SQLAlchemy session inside an app context."""
    with app.app_context():
        _truncate()
        yield db.session
        db.session.rollback()
        db.session.remove()


@pytest.fixture()
def client(app, session):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture()
def world(session):  # type: ignore[no-untyped-def]
    """Districts, one reviewer per district, city staff, admin and the demo enterprises (no filings)."""
    from tests.factories import make_world

    return make_world(session)


def actor(user) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(user.id, user.display_name, user.role, user.district_code, user.enterprise_id)
