"""Benchmark of the trainee roster import (issue 3: 2,000 rows in under 5 s on the 2-core machine).

Builds a valid 2,000-row roster (.xlsx, every column filled as for a 技培生 filing), then imports it into
a draft filing through workflows.rosters.import_roster on a fresh SQLite file (or DATABASE_URL /
--db), several times, and prints the time of each phase: reading and checking the sheet, and the
whole use case (parse + replace the trainees + commit). Prints figures; asserts nothing about time.

Run: .venv/bin/python bench/bench_roster.py [--rows 2000] [--repeat 3] [--db postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestConfig  # noqa: E402


def build_roster(rows: int) -> bytes:
    from openpyxl import Workbook

    from workflows.demo import id_number
    from workflows.filings.rosters import COLUMNS

    workbook = Workbook()  # shared strings and a <dimension>, as Excel and WPS write them
    sheet = workbook.active
    sheet.title = "学员名册"
    sheet.append(list(COLUMNS))
    for i in range(rows):
        birth = date(1995, 1, 1) + timedelta(days=i % 3000)
        sheet.append([f"学员{i:04d}", id_number("440106", birth, i // 3000), "数控车工", "2024-09-01", "",
                      "广州市机电技师学院", 2023, "2023-07-01", "数控技术应用", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-roster-"))

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.db or f"sqlite:///{tmp / 'bench.db'}"
        UPLOAD_DIR = str(tmp / "uploads")

    from webapp import create_app
    from webapp.extensions import db
    from workflows import service
    from workflows.db import Base
    from workflows.filings import rosters
    from workflows.models import Filing

    app = create_app(Cfg)
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        from tests.factories import filing_data, make_world

        world = make_world(db.session, budget_fen=10**12, headcount=100_000)
        ent = world.actor("ent-440106-1")
        filing = service.create_filing(db.session, ent, filing_data(1, apprenticeship_type="tech_trainee",
                                                                    career_plan="两年内达到三级/高级工"))
        started = time.perf_counter()
        data = build_roster(args.rows)
        print(f"roster: {args.rows} rows, {len(data) / 1024:.0f} KiB .xlsx (built in "
              f"{time.perf_counter() - started:.2f} s); database: {db.engine.dialect.name}")

        parse_times, total_times = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            rosters.parse(data, "tech_trainee", filing.period_start)
            parse_times.append(time.perf_counter() - started)
            db.session.expire_all()
            started = time.perf_counter()
            rosters.import_roster(db.session, ent, filing.id, data)
            total_times.append(time.perf_counter() - started)
            db.session.expire_all()
            assert len(db.session.get(Filing, filing.id).trainees) == args.rows
        print(f"{'read and check every cell (parse)':<44} median {statistics.median(parse_times):6.2f} s   "
              f"max {max(parse_times):6.2f} s")
        print(f"{'import_roster (parse + replace + commit)':<44} median {statistics.median(total_times):6.2f} s   "
              f"max {max(total_times):6.2f} s   (target < 5 s for 2,000 rows)")
        db.session.remove()


if __name__ == "__main__":
    main()
