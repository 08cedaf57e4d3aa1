"""Benchmark of the security log and the hash chains: the cost of one security-log append (locked head,
insert, commit), of one failed and one successful sign-in (lockout count + log), and how fast
`flask audit verify` walks both chains. Prints figures; asserts nothing about time.

Run: .venv/bin/python bench/bench_security_log.py [--n 2000] [--url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def fmt(name: str, values: list[float]) -> str:
    return f"{name:<44} median {statistics.median(values) * 1000:7.2f} ms   p95 {pct(values, 95) * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.url or f"sqlite:///{tmp / 'bench.db'}"
        UPLOAD_DIR = str(tmp / "uploads")

    from webapp import create_app
    from webapp.extensions import db
    from workflows import service
    from workflows.db import Base
    from workflows.security import log, verify

    app = create_app(Cfg)
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        from tests.factories import filing_data, make_world

        world = make_world(db.session)
        db.session.commit()
        appends = []
        for i in range(args.n):
            start = time.perf_counter()
            log.record(db.session, "login_failure", user_id=None, username=f"u{i}", address="10.0.0.1",
                       detail={"n": i})
            db.session.commit()
            appends.append(time.perf_counter() - start)
        print(fmt("security_record + commit", appends))

        failed, succeeded = [], []
        for _ in range(min(200, args.n)):
            start = time.perf_counter()
            service.authenticate(db.session, "city", "wrong", address="10.0.0.1",
                                 lockout=service.Lockout(attempts=10**9))
            failed.append(time.perf_counter() - start)
            start = time.perf_counter()
            service.authenticate(db.session, "city", "Demo@2026", address="10.0.0.1")
            succeeded.append(time.perf_counter() - start)
        print(fmt("sign-in, wrong password (count + log)", failed))
        print(fmt("sign-in, right password (reset + log)", succeeded))

        ent = world.actor("ent-440106-1")
        for i in range(200):
            f = service.create_filing(db.session, ent, filing_data(i + 1))
            service.submit_filing(db.session, ent, f.id)
        start = time.perf_counter()
        report = verify.verify(db.session)
        took = time.perf_counter() - start
        rows = report.security_rows + report.audit_rows
        print(f"audit verify: {report.security_rows} security rows + {report.audit_rows} audit rows "
              f"({report.cases} cases) in {took:.2f} s = {rows / took:,.0f} rows/s; ok={report.ok}")


if __name__ == "__main__":
    main()
