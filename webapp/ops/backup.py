"""Backups: the database and the upload folder, with a manifest of checksums.

``create`` snapshots the database first (SQLite's online backup API, or ``pg_dump --format=custom`` of
the server's own major version), then copies the upload folder: every file the snapshot refers to is in
it (files uploaded meanwhile are harmless extras). ``verify`` checks every file against the manifest and
that the database copy is readable. ``restore`` refuses anything but an empty database and an empty
upload folder, so it never mixes two systems."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"
FORMAT = 1


class BackupError(Exception):
    """A backup cannot be made, verified or restored; the message says why, in Chinese."""


@dataclass(frozen=True)
class Manifest:
    path: Path
    data: dict[str, Any]

    @property
    def files(self) -> list[dict[str, Any]]:
        return list(self.data["files"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        return version("apprenticeship")
    except PackageNotFoundError:
        return "checkout"


# --------------------------------------------------------------------------------------------------
# PostgreSQL tools


def _pg_env(url: URL) -> dict[str, str]:
    env = {**os.environ}
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value not in (None, ""):
            env[key] = str(value)
    return env


def pg_tool(engine: Engine, name: str) -> str:
    """pg_dump / pg_restore of the server's major version (Debian keeps each in /usr/lib/postgresql/N/bin),
    else the one on PATH if it is at least as new as the server."""
    with engine.connect() as connection:
        major = int(str(connection.execute(sa.text("SHOW server_version_num")).scalar())) // 10000
    for folder in (os.environ.get("PG_BIN_DIR", ""), f"/usr/lib/postgresql/{major}/bin"):
        if folder and (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if found:
        out = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout
        digits = [part for part in out.split() if part[:1].isdigit()]
        if digits and int(digits[0].split(".")[0]) >= major:
            return found
    raise BackupError(f"未找到与 PostgreSQL {major} 服务器匹配的 {name}：请安装 postgresql-client-{major}，"
                      f"或用 PG_BIN_DIR 指明其目录。")


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{(done.stderr or done.stdout).strip()[:2000]}")


# --------------------------------------------------------------------------------------------------
# create / verify / restore


def create(engine: Engine, upload_dir: Path, target: Path, revisions: set[str]) -> Manifest:
    """Write a backup of the database behind ``engine`` and of ``upload_dir`` into the new folder ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空目录：请指定一个新目录。")
    target.mkdir(parents=True, exist_ok=True)
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("内存中的 SQLite 数据库无法备份。")
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target / SQLITE_FILE)
        with copy:
            source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file (no -wal beside it)
        copy.close()
        source.close()
        database_file = SQLITE_FILE
    elif url.get_backend_name() == "postgresql":
        _run([pg_tool(engine, "pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target / PG_FILE}"], _pg_env(url))
        database_file = PG_FILE
    else:
        raise BackupError(f"不支持备份 {url.get_backend_name()} 数据库。")
    if upload_dir.is_dir():
        shutil.copytree(upload_dir, target / UPLOADS, symlinks=False)
    else:
        (target / UPLOADS).mkdir()
    files = [{"path": path.relative_to(target).as_posix(), "size": path.stat().st_size, "sha256": _sha256(path)}
             for path in sorted(target.rglob("*")) if path.is_file()]
    data = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "app_version": _app_version(), "database": {"backend": url.get_backend_name(), "file": database_file,
                                                        "revisions": sorted(revisions)},
            "uploads": UPLOADS, "files": files}
    (target / MANIFEST).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Manifest(target / MANIFEST, data)


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} 中没有 {MANIFEST}：不是本系统的备份。") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} 已损坏：{exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), list):
        raise BackupError(f"{MANIFEST} 的格式无法识别。")
    return Manifest(path, data)


def verify(folder: Path) -> tuple[Manifest, list[str]]:
    """Check every file of the backup against the manifest (size, SHA-256, nothing missing or added) and
    that the database copy opens; returns the problems found (empty: the backup is sound)."""
    manifest = read_manifest(folder)
    problems: list[str] = []
    listed = set()
    for entry in manifest.files:
        listed.add(entry["path"])
        path = folder / entry["path"]
        if not path.is_file():
            problems.append(f"缺少文件 {entry['path']}")
        elif path.stat().st_size != entry["size"]:
            problems.append(f"文件大小不符 {entry['path']}")
        elif _sha256(path) != entry["sha256"]:
            problems.append(f"校验和不符 {entry['path']}")
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative != MANIFEST and relative not in listed:
            problems.append(f"清单中没有的文件 {relative}")
    database = manifest.data["database"]
    db_file = folder / str(database["file"])
    if not problems and database["backend"] == "sqlite":
        connection = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            result = str(exc)
        finally:
            connection.close()
        if result != "ok":
            problems.append(f"数据库副本损坏：{result}")
    elif not problems and database["backend"] == "postgresql":
        listing = subprocess.run([shutil.which("pg_restore") or "pg_restore", "--list", str(db_file)],
                                 capture_output=True, text=True, check=False)
        if listing.returncode != 0:
            problems.append(f"数据库副本无法读取：{listing.stderr.strip()[:500]}")
    return manifest, problems


def restore(engine: Engine, upload_dir: Path, folder: Path) -> Manifest:
    """Restore a verified backup into the empty database behind ``engine`` and the empty ``upload_dir``."""
    manifest, problems = verify(folder)
    if problems:
        raise BackupError("备份校验未通过，未做任何恢复：" + "；".join(problems))
    database = manifest.data["database"]
    backend = engine.url.get_backend_name()
    if backend != database["backend"]:
        raise BackupError(f"备份来自 {database['backend']} 数据库，不能恢复到 {backend} 数据库。")
    tables = sa.inspect(engine).get_table_names()
    if tables:
        raise BackupError(f"目标数据库不是空库（已有 {len(tables)} 张表）：请先新建一个空数据库。")
    if upload_dir.is_dir() and any(upload_dir.iterdir()):
        raise BackupError(f"上传目录 {upload_dir} 不是空目录：请指定一个空目录。")
    engine.dispose()
    source_file = folder / str(database["file"])
    if backend == "sqlite":
        target = make_url(str(engine.url)).database
        if not target or target == ":memory:":
            raise BackupError("不能恢复到内存中的 SQLite 数据库。")
        source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
    else:
        _run([pg_tool(engine, "pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", f"--dbname={engine.url.database}", str(source_file)], _pg_env(engine.url))
        engine.dispose()
    upload_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder / UPLOADS, upload_dir, dirs_exist_ok=True)
    return manifest
