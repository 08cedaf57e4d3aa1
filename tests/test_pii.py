"""Resident ID numbers at rest (issue 11): encrypted with AES-GCM under a key kept outside the database, matched
by a keyed blind index, never present in plain text anywhere in the database; the key rotates with a CLI
command; the migration encrypts existing plain rows and drops the plain column and its index."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from openpyxl import Workbook
from sqlalchemy import create_engine, inspect, select, text

from config import TestConfig
from tests.factories import filing_data
from tests.test_api_helpers import Api, fast_passwords, filing_body, token_for  # noqa: F401
from tests.test_web_helpers import login
from webapp import create_app
from workflows import errors, service, store
from workflows.db import Base
from workflows.demo import id_number
from workflows.filings import rosters
from workflows.models import Trainee
from workflows.security import pii

ENT = "ent-440106-1"
# Anything shaped like an ID number standing on its own (hashes and ciphertext are longer runs of letters
# and digits, so a match inside them is not counted).
ID_PATTERN = re.compile(rb"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?![0-9A-Za-z])")


def _read_elsewhere(path: Path) -> bytes:
    """A file's bytes read by a child process. Closing any descriptor of a SQLite file in this process would
    drop every POSIX lock SQLite holds on it here (fcntl locks belong to the process, not the descriptor), and
    another process could then checkpoint and delete the WAL under this process's open connections ("disk I/O
    error" in a later test)."""
    if not path.exists():
        return b""
    done = subprocess.run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())",
                           str(path)], capture_output=True, check=True, timeout=60)
    return done.stdout


def _file_bytes(path: Path) -> bytes:
    """The SQLite file and its WAL once every connection of the app is closed (SQLite then checkpoints)."""
    from webapp.extensions import db

    db.engine.dispose()
    return _read_elsewhere(path) + _read_elsewhere(Path(str(path) + "-wal"))


def roster_bytes(people: list[tuple[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rosters.COLUMNS))
    for name, number in people:
        sheet.append([name, number, "数控车工", "2024-09-01", "", "", "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _texts(session) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(table.column, text) of every value in every table, workflow state decompressed."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                if value is None:
                    continue
                value_text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
                if table.name == "workflow_instance" and column == "state_json":
                    value_text = store.decode_state(value_text)
                found.append((f"{table.name}.{column}", value_text))
    return found


def _raw_database_bytes(session) -> bytes:  # type: ignore[no-untyped-def]
    """Every byte the database keeps: the SQLite file (and its WAL, after a checkpoint), or on PostgreSQL
    every table's rows as text."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        session.commit()
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        path = Path(bind.url.database)
        return _read_elsewhere(path) + _read_elsewhere(path.with_name(path.name + "-wal"))
    chunks = []
    for table in Base.metadata.sorted_tables:
        chunks += [r[0].encode() for r in session.execute(text(f'SELECT t::text FROM "{table.name}" t'))]
    return b"\n".join(chunks)


def test_no_id_number_appears_in_plain_text_anywhere_in_the_database(app, session, world):  # type: ignore[no-untyped-def]
    """Cases seeded through the real flows (web form, roster import, API, submission with errors, review,
    reveal, demo data): not one of their ID numbers is in the database file or any column, in any form."""
    ent = world.actor(ENT)
    clerk = login(app, ENT)
    # 1. A draft through the service, its trainees replaced by an uploaded roster (web), submitted.
    draft = service.create_filing(session, ent, filing_data(1))
    people = [(f"名册学员{i}", id_number("440106", date(1998, 2, 1 + i), 40 + i)) for i in range(4)]
    response = clerk.post(f"/filings/{draft.id}/roster", data={"file": (io.BytesIO(roster_bytes(people)), "r.xlsx")},
                          content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    service.submit_filing(session, ent, draft.id)
    # 2. The district reviewer reveals the numbers (logged) and approves; the city records.
    reviewer = login(app, "review-440106")
    assert reviewer.post(f"/cases/{draft.instance_id}/reveal-ids").status_code == 200
    task = service.ready_tasks(session, draft.instance_id)[0]
    service.complete_task(session, world.actor("review-440106"), task.task_id, "approve", "同意",
                          confirm_mismatches=True)
    city_task = service.ready_tasks(session, draft.instance_id)[0]
    service.complete_task(session, world.actor("city"), city_task.task_id, "record", "予以备案")
    # 3. Through the API: a filing with the same person (refused at submission: already in an active filing)
    #    and one with a wrong check digit (refused: the check results name the field, not the number).
    api = Api(app.test_client(), token_for(app.test_client(), "ent-440106-2"))
    same = filing_body(2, trainees=[{"name": "重复学员", "id_number": people[0][1], "job_post": "数控车工",
                                     "contract_start": f"{date.today().year - 1}-09-01"}])
    created = api.post("/filings", json=same).get_json()
    refused = api.post("/filings/{id}/submit", id=created["filing"]["id"])
    assert refused.status_code == 422 and "其他有效备案" in json.dumps(refused.get_json(), ensure_ascii=False)
    wrong = people[1][1][:-1] + ("0" if people[1][1][-1] != "0" else "1")
    bad = api.post("/filings", json=filing_body(3, trainees=[{"name": "校验位错", "id_number": wrong}])).get_json()
    assert api.post("/filings/{id}/submit", id=bad["filing"]["id"]).status_code == 422
    # 4. The demo data.
    service.seed_demo(session)

    session.expire_all()
    numbers = {t.id_number for t in session.scalars(select(Trainee))} | {n for _, n in people} | {wrong}
    assert len(numbers) > 20
    texts = _texts(session)
    leaks = [(where, n) for where, value in texts for n in numbers if n in value or n.lower() in value]
    assert leaks == []
    raw = _raw_database_bytes(session)
    assert [n for n in numbers if n.encode() in raw or n.lower().encode() in raw] == []
    assert ID_PATTERN.findall(raw) == []  # nothing that even looks like an ID number
    # What is stored instead: authenticated ciphertext naming its key, and a 64-hex blind index.
    stored = session.execute(select(Trainee.id_number_cipher, Trainee.id_number_index)).first()
    assert stored is not None and stored[0].startswith("v1.") and re.fullmatch(r"[0-9a-f]{64}", stored[1])
    assert "id_number" not in {c["name"] for c in inspect(session.get_bind()).get_columns("trainee")}


def test_ciphertext_is_authenticated_and_randomised(app):  # type: ignore[no-untyped-def]
    number = id_number("440106", date(1990, 1, 1), 11)
    one, two = pii.encrypt(number), pii.encrypt(number)
    assert one != two and pii.decrypt(one) == pii.decrypt(two) == number  # random nonce, same plain text
    version, key_id, body = one.split(".")
    tampered = f"{version}.{key_id}.{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}"
    with pytest.raises(pii.PiiKeyError, match="校验失败"):
        pii.decrypt(tampered)
    other = pii.make_keyring(pii.parse_key(pii.generate_key()))
    with pytest.raises(pii.PiiKeyError, match="另一把密钥"):
        other.decrypt(one)
    # The blind index is keyed (not a bare hash), normalised, and its key differs from the encryption key's.
    assert pii.blind_index(number) == pii.blind_index(" " + number.lower() + " ")
    assert pii.blind_index(number) != other.blind_index(number)
    import hashlib

    assert pii.blind_index(number) != hashlib.sha256(number.encode()).hexdigest()


def test_duplicate_check_matches_on_the_blind_index(session, world):  # type: ignore[no-untyped-def]
    """The "already in another active filing" rule still finds the person although no plain number is stored."""
    first = service.create_filing(session, world.actor(ENT), filing_data(5))
    service.submit_filing(session, world.actor(ENT), first.id)
    data = filing_data(6)
    data.trainees[0].id_number = filing_data(5).trainees[1].id_number.lower()
    second = service.create_filing(session, world.actor("ent-440106-2"), data)
    with pytest.raises(errors.ValidationFailed) as refused:
        service.submit_filing(session, world.actor("ent-440106-2"), second.id)
    assert any("其他有效备案" in m for m in refused.value.fields["trainees[0].id_number"])


def test_key_comes_from_env_or_file_and_development_makes_one(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    key = pii.generate_key()
    assert pii.load_key(key) == pii.parse_key(key)
    (tmp_path / "k").write_text(key + "\n")
    assert pii.load_key("", str(tmp_path / "k")) == pii.parse_key(key)
    with pytest.raises(pii.PiiKeyError, match="PII_KEY"):
        pii.load_key("", "", None)  # outside development there is no fallback
    made = pii.load_key("", "", tmp_path / "instance")
    assert (tmp_path / "instance" / "pii.key").stat().st_mode & 0o777 == 0o600
    assert pii.load_key("", "", tmp_path / "instance") == made  # made once, then reused
    with pytest.raises(pii.PiiKeyError):
        pii.parse_key("c2hvcnQ")

    class Production(TestConfig):
        ENV_NAME = "production"
        SECRET_KEY = "x" * 40
        PII_KEY = ""
        PII_KEY_FILE = ""

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(pii.PiiKeyError):
        create_app(Production)
    service.configure_pii(TestConfig.PII_KEY)


def test_rotate_key_cli_re_encrypts_every_number_and_recomputes_the_index(app, session, world, tmp_path):  # type: ignore[no-untyped-def]
    ent = world.actor(ENT)
    filing = service.create_filing(session, ent, filing_data(7))
    service.submit_filing(session, ent, filing.id)
    numbers = sorted(t.id_number for t in filing.trainees)
    old_key_file = tmp_path / "old.key"
    old_key_file.write_text(TestConfig.PII_KEY)
    new_key = pii.generate_key()
    runner = app.test_cli_runner()
    before = dict(session.execute(select(Trainee.id, Trainee.id_number_cipher)).tuples().all())
    try:
        app.config["PII_KEY"] = new_key
        wrong = tmp_path / "wrong.key"
        wrong.write_text(pii.generate_key())
        failed = runner.invoke(args=["pii", "rotate-key", "--old-key-file", str(wrong)])
        assert failed.exit_code == 1 and "数据未改动" in failed.output
        session.expire_all()
        assert dict(session.execute(select(Trainee.id, Trainee.id_number_cipher)).tuples().all()) == before

        result = runner.invoke(args=["pii", "rotate-key", "--old-key-file", str(old_key_file)])
        assert result.exit_code == 0, result.output
        assert f"重新加密 {len(numbers)} 个身份证号码" in result.output
        session.expire_all()
        new_ring = pii.make_keyring(pii.parse_key(new_key))
        rows = session.scalars(select(Trainee).where(Trainee.filing_id == filing.id)).all()
        assert all(r.id_number_cipher.split(".")[1] == new_ring.primary.key_id for r in rows)
        assert sorted(new_ring.decrypt(r.id_number_cipher) for r in rows) == numbers
        assert all(r.id_number_index == new_ring.blind_index(r.id_number) for r in rows)
        with pytest.raises(pii.PiiKeyError):  # the old key alone no longer reads anything
            pii.make_keyring(pii.parse_key(TestConfig.PII_KEY)).decrypt(rows[0].id_number_cipher)
        # The duplicate check still finds the person under the new key.
        data = filing_data(8)
        data.trainees[0].id_number = numbers[0]
        other = service.create_filing(session, world.actor("ent-440106-2"), data)
        with pytest.raises(errors.ValidationFailed):
            service.submit_filing(session, world.actor("ent-440106-2"), other.id)
        # Same key twice is refused.
        same = tmp_path / "same.key"
        same.write_text(new_key)
        assert runner.invoke(args=["pii", "rotate-key", "--old-key-file", str(same)]).exit_code == 2
    finally:
        app.config["PII_KEY"] = TestConfig.PII_KEY
        service.rotate_pii_key(session, pii.parse_key(TestConfig.PII_KEY), [pii.parse_key(new_key)])
    assert pii.keyring().primary.key_id == pii.make_keyring(pii.parse_key(TestConfig.PII_KEY)).primary.key_id


def _migration_database(tmp_path: Path, backend: str):  # type: ignore[no-untyped-def]
    """(url, raw-bytes reader) of an empty database for the migration test: a SQLite file, or a fresh
    PostgreSQL database next to TEST_DATABASE_URL's."""
    if backend == "sqlite":
        path = tmp_path / "old.db"
        return f"sqlite:///{path}", lambda: _file_bytes(path)
    import os

    from sqlalchemy.engine import make_url

    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("PostgreSQL variant: set TEST_DATABASE_URL to a PostgreSQL database")
    name = f"{make_url(base).database}_mig_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(base).set(database=name).render_as_string(hide_password=False)

    def table_text() -> bytes:
        engine = create_engine(url)
        with engine.connect() as c:
            tables = [r[0] for r in c.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
            out = b"\n".join(r[0].encode() for t in tables for r in c.execute(text(f'SELECT x::text FROM "{t}" x')))
        engine.dispose()
        return out

    return url, table_text


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_encrypts_existing_plain_rows_and_drops_the_plain_column(tmp_path, backend):  # type: ignore[no-untyped-def]
    url, raw_bytes = _migration_database(tmp_path, backend)

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Cfg)
    numbers = [id_number("440106", date(1995, 3, 1 + i), 70 + i) for i in range(3)]
    with app.app_context():
        upgrade(revision="11b1c0ffee01-1")  # the schema just before this issue
        engine = create_engine(url)
        with engine.begin() as c:
            c.execute(text("INSERT INTO district (code, name) VALUES ('440106', '天河区')"))
            c.execute(text("INSERT INTO enterprise (id, name, credit_code, district_code, size_class, tags, "
                           "contact_name, contact_phone, created_at) VALUES (1, 'E', '91440106MA00000000', "
                           "'440106', '小型', '[]', '', '', '2026-01-01 00:00:00')"))
            c.execute(text("INSERT INTO filing (id, enterprise_id, district_code, apprenticeship_type, occupation_code,"
                           " occupation_name, level, institution_name, institution_type, period_reason, "
                           "tutor_enterprise, tutor_institution, career_plan, training_goals, retention_measures, "
                           "trainee_count, subsidy_fen, check_results, created_at, updated_at) VALUES (1, 1, '440106',"
                           " 'enterprise_apprentice', '', '', 4, '', 'technical_school', '', '', '', '', '', '', 3, 0,"
                           " '[]', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
            for i, n in enumerate(numbers):
                c.execute(text("INSERT INTO trainee (id, filing_id, seq, name, id_number, job_post, school, major) "
                               "VALUES (:i, 1, :i, '学员', :n, '', '', '')"), {"i": i + 1, "n": n.lower() if i else n})
        engine.dispose()
        assert numbers[0].encode() in raw_bytes()

        upgrade()
        engine = create_engine(url)
        with engine.connect() as c:
            columns = {col["name"] for col in inspect(c).get_columns("trainee")}
            indexes = {ix["name"] for ix in inspect(c).get_indexes("trainee")}
            rows = c.execute(text("SELECT id_number_cipher, id_number_index FROM trainee ORDER BY id")).all()
        engine.dispose()
        assert "id_number" not in columns and "ix_trainee_id_number" not in indexes
        assert "ix_trainee_id_number_index" in indexes
        assert [pii.decrypt(r[0]) for r in rows] == [n.upper() for n in numbers]
        assert [r[1] for r in rows] == [pii.blind_index(n) for n in numbers]
        raw = raw_bytes()
        assert [n for n in numbers if n.encode() in raw or n.lower().encode() in raw] == []

        downgrade(revision="11b1c0ffee01-1")
        engine = create_engine(url)
        with engine.connect() as c:
            assert [r[0] for r in c.execute(text("SELECT id_number FROM trainee ORDER BY id"))] == numbers
        engine.dispose()
        from webapp.extensions import db

        db.engine.dispose()
