"""Receiving an upload: streamed in chunks from the incoming stream to ``<upload_dir>/tmp``, checked
(``uploads.content``, ``uploads.pictures``) and renamed atomically to a random name only after every check
passed, so a refused upload leaves nothing; ``path_of`` and ``discard`` for what is stored. No Flask here:
the web layer passes the stream, the limits and the folder."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from workflows.uploads.content import HEAD_SIZE, check_claims, detect, verify
from workflows.uploads.formats import (
    CHUNK_SIZE,
    FORMATS,
    KIND_LABELS,
    StoredUpload,
    UploadLimits,
    UploadRefused,
    human_size,
)
from workflows.uploads.names import clean_filename
from workflows.uploads.pictures import reencode, thumbnail

# Stored names are ours: 32 hex characters and one of our extensions (a thumbnail adds ".thumb").
STORED_NAME = re.compile(r"^[0-9a-f]{32}(\.thumb)?\.(jpg|png|webp|mp4|pdf|docx)$")


def path_of(upload_dir: str | os.PathLike[str], stored_name: str) -> Path:
    """Where a stored file lives; refuses anything that is not one of our random names."""
    if not STORED_NAME.match(stored_name or ""):
        raise FileNotFoundError(stored_name)
    return Path(upload_dir) / stored_name[:2] / stored_name


def _tmp_dir(upload_dir: str | os.PathLike[str]) -> Path:
    path = Path(upload_dir) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool_dir(upload_dir: str | os.PathLike[str]) -> str:
    """Folder for the multipart parser's own spill files (same filesystem as the uploads, not /tmp,
    which is often memory-backed)."""
    return str(_tmp_dir(upload_dir))


def receive(stream: IO[bytes], filename: str | None, kind: str, *, upload_dir: str | os.PathLike[str],
            limits: UploadLimits, claimed_mime: str | None = None) -> StoredUpload:
    """Copy ``stream`` in chunks to a temporary file, check it, and move it to a random name.
    Raises UploadRefused (with the file's name in the message) and leaves nothing behind."""
    original = clean_filename(filename)
    if kind not in KIND_LABELS:
        raise UploadRefused(f"「{original}」：不支持的上传类别")
    try:
        return _receive(stream, original, kind, Path(upload_dir), limits, claimed_mime)
    except UploadRefused as exc:
        raise UploadRefused(f"「{original}」未上传：{exc.message}。") from exc


def _receive(stream: IO[bytes], original: str, kind: str, upload_dir: Path, limits: UploadLimits,
             claimed_mime: str | None) -> StoredUpload:
    limit = limits.of(kind)
    tmp_dir = _tmp_dir(upload_dir)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, suffix=".part")
    tmp = Path(tmp_name)
    clean: Path | None = None
    made: list[Path] = []
    try:
        digest = hashlib.sha256()
        head = b""
        fmt: str | None = None
        total = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK_SIZE):
                total += len(chunk)
                if total > limit:
                    raise UploadRefused(f"超过{KIND_LABELS[kind]}大小上限 {human_size(limit)}")
                if fmt is None:
                    head += chunk[: HEAD_SIZE - len(head)]
                    if len(head) >= HEAD_SIZE:
                        fmt = detect(head)  # refuse early, before the rest of a large file is copied
                        check_claims(fmt, kind, original, claimed_mime)
                digest.update(chunk)
                out.write(chunk)
        if total == 0:
            raise UploadRefused("文件是空的")
        if fmt is None:
            fmt = detect(head)
            check_claims(fmt, kind, original, claimed_mime)
        found_kind = FORMATS[fmt].kind
        if total > limits.of(found_kind):
            raise UploadRefused(f"超过{KIND_LABELS[found_kind]}大小上限 {human_size(limits.of(found_kind))}")
        width, height = verify(tmp, fmt, limits)
        token = secrets.token_hex(16)
        final = path_of(upload_dir, f"{token}.{FORMATS[fmt].ext}")
        final.parent.mkdir(parents=True, exist_ok=True)
        thumb_name: str | None = None
        size = total
        sha = digest.hexdigest()
        if FORMATS[fmt].kind == "picture":
            clean = tmp.with_suffix(".clean")
            width, height = reencode(tmp, clean, fmt)
            thumb = path_of(upload_dir, f"{token}.thumb.jpg")
            thumbnail(clean, thumb)
            made.append(thumb)
            thumb_name = thumb.name
            size = clean.stat().st_size
            sha = _sha256_of(clean)
            os.replace(clean, final)
        else:
            os.replace(tmp, final)
        made.append(final)
        return StoredUpload(final.name, thumb_name, original, found_kind, fmt, FORMATS[fmt].mime, size, sha,
                            width, height)
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        raise
    finally:
        tmp.unlink(missing_ok=True)
        if clean is not None:
            clean.unlink(missing_ok=True)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def duplicate(upload_dir: str | os.PathLike[str], stored_name: str) -> str:
    """A copy of a stored file under a new random name (a copied filing gets its own files)."""
    source = path_of(upload_dir, stored_name)
    token = secrets.token_hex(16)
    suffix = stored_name[32:]  # ".pdf", ".thumb.jpg" ...
    target = path_of(upload_dir, f"{token}{suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target.name


def discard(upload_dir: str | os.PathLike[str], names: Iterable[str | None]) -> None:
    """Delete stored files (after the database no longer points at them); missing files are fine."""
    for name in names:
        if not name:
            continue
        try:
            path_of(upload_dir, name).unlink(missing_ok=True)
        except FileNotFoundError:
            continue
