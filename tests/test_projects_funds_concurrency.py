"""Running fund totals under concurrent steps: transactions that move money of the same district and
year at the same time (row created on first use, then ``x = x + delta``) lose no update. PostgreSQL only
(SQLite has no concurrent writers); skipped on SQLite, run with TEST_DATABASE_URL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from workflows.models import FundTotal
from workflows.projects import funds

pytestmark = pytest.mark.postgres


def test_concurrent_steps_add_up_exactly(app, session, world) -> None:  # type: ignore[no-untyped-def]
    url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.startswith("postgresql"):
        pytest.skip("needs TEST_DATABASE_URL pointing at PostgreSQL (SQLite has no concurrent writers)")
    engine = create_engine(url, pool_size=8)
    workers, rounds = 6, 5
    start = threading.Barrier(workers)
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait()
            for _ in range(rounds):
                with Session(engine) as s, s.begin():
                    funds.add_to_totals(s, "440106", {2027: funds.YearMoney(committed_fen=100, paid_fen=n)})
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, workers + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert failures == []
    session.expire_all()
    row = session.get(FundTotal, ("440106", 2027))
    assert row.committed_fen == workers * rounds * 100
    assert row.paid_fen == rounds * sum(range(1, workers + 1))
