"""A pooled connection is pinged before use only when it sat idle (webapp.ops.pool): one idle past
DB_PING_IDLE_SECONDS whose server backend was killed is replaced before the request runs; one checked in a
moment ago is used as it is (no round trip), so a backend killed under it fails that one use and the pool
recovers on the next. SQLite gets no listener."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from config import TestConfig
from tests.databases import postgres_base
from webapp import create_app
from webapp.extensions import db


def _app(idle_seconds: float, url: str):  # type: ignore[no-untyped-def]
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        DB_PING_IDLE_SECONDS = idle_seconds

    return create_app(Cfg)


def _backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.remove()  # the connection goes back to the pool
    return int(pid)


def _kill(pid: int, url: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) is True
    admin.dispose()
    time.sleep(0.2)  # the backend is gone once the signal is handled


def test_sqlite_pool_has_no_ping_listener(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = _app(0, f"sqlite:///{tmp_path / 'pool.db'}")
    with app.app_context():
        assert len(db.engine.pool.dispatch.checkout) == 0 and len(db.engine.pool.dispatch.checkin) == 0
        assert db.session.scalar(text("SELECT 1")) == 1


@pytest.fixture
def pg_url() -> str:
    url = postgres_base()
    if url is None:
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL (a server that can drop a connection)")
    return url


@pytest.mark.postgres
def test_an_idle_connection_killed_on_the_server_is_replaced_before_use(pg_url: str) -> None:
    app = _app(0.3, pg_url)
    with app.app_context():
        first = _backend_pid()
        _kill(first, pg_url)
        time.sleep(0.3)  # idle past DB_PING_IDLE_SECONDS: the checkout pings, finds it dead, reconnects
        second = _backend_pid()
        assert second != first
        db.engine.dispose()


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_is_not_pinged(pg_url: str) -> None:
    app = _app(3600, pg_url)
    with app.app_context():
        first = _backend_pid()
        _kill(first, pg_url)
        with pytest.raises(OperationalError):  # no ping: the dead connection is only found by using it
            db.session.execute(text("SELECT 1"))
        db.session.remove()
        assert _backend_pid() != first  # the pool dropped it and opened another
        db.engine.dispose()
