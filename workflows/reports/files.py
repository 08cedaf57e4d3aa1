"""Files of semiannual reports: receiving a request's files all or nothing (through ``workflows.uploads``,
before the database is touched), discarding them again when the unit of work fails, the attachment row
of a stored file, and which stored file an actor may download (``file_to_serve``).

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from sqlalchemy.orm import Session

from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import NotFound, ValidationFailed
from workflows.models.report_models import ReportAttachment, SemiannualReport
from workflows.reports.queries import is_accepted
from workflows.uploads import formats as upload_formats
from workflows.uploads import names as upload_names
from workflows.uploads import storage as uploads


@dataclass(frozen=True)
class Incoming:
    """A file arriving with a request: its stream, the browser's name and claim, and the field's kind."""

    stream: IO[bytes]
    filename: str | None
    mimetype: str | None
    kind: str  # picture | video | document


def receive_all(files: Sequence[Incoming], *, upload_dir: str, limits: upload_formats.UploadLimits
                 ) -> tuple[list[upload_formats.StoredUpload], dict[str, list[str]]]:
    """Receive every file; on any refusal delete what was stored and return the messages by field."""
    stored: list[upload_formats.StoredUpload] = []
    errors: dict[str, list[str]] = {}
    try:
        for item in files:
            try:
                stored.append(uploads.receive(item.stream, item.filename, item.kind, upload_dir=upload_dir,
                                              limits=limits, claimed_mime=item.mimetype))
            except upload_formats.UploadRefused as exc:
                errors.setdefault(_FILE_FIELDS.get(item.kind, "files"), []).append(exc.message)
    except BaseException:
        discard_stored(upload_dir, stored)
        raise
    if errors:
        discard_stored(upload_dir, stored)
        stored = []
    return stored, errors


_FILE_FIELDS = {"picture": "pictures", "video": "videos", "document": "documents"}


def discard_stored(upload_dir: str, stored: Sequence[upload_formats.StoredUpload]) -> None:
    """Delete files received for a request that is not going through (with their thumbnails)."""
    uploads.discard(upload_dir, [n for s in stored for n in (s.stored_name, s.thumb_name)])


def attachment_row(report: SemiannualReport, item: upload_formats.StoredUpload, actor: Actor) -> ReportAttachment:
    """The database row of a stored file (the caller attaches it to a case or publicity item)."""
    return ReportAttachment(
        report_id=report.id, kind=item.kind, format=item.format, mime=item.mime, stored_name=item.stored_name,
        thumb_name=item.thumb_name, original_name=item.original_name, size_bytes=item.size, sha256=item.sha256,
        width=item.width, height=item.height, uploaded_by=actor.id, created_at=now())


def refusal(errors: dict[str, list[str]]) -> ValidationFailed:
    """The error for refused files: the first reason, how many more, and that nothing was saved."""
    first = next(iter(errors.values()))[0]
    more = sum(len(v) for v in errors.values()) - 1
    extra = f"另有 {more} 个文件未通过检查。" if more else ""
    return ValidationFailed(f"{first}{extra}本次未保存任何内容，请更换文件后重试。", errors)


# --------------------------------------------------------------------------------------------------
# Downloads


@dataclass(frozen=True)
class FileToServe:
    path: str
    mime: str
    download_name: str
    inline: bool


def file_to_serve(session: Session, actor: Actor, attachment_id: int, *, upload_dir: str,
                  thumbnail: bool = False) -> FileToServe:
    """A stored file the actor may see: own district's (or any, for the city); another district's only
    as a case of an accepted report (the gallery). Anything else is NotFound, like a missing id."""
    attachment = session.get(ReportAttachment, attachment_id)
    if attachment is None:
        raise NotFound("未找到该文件。")
    report = session.get(SemiannualReport, attachment.report_id)
    assert report is not None
    visible = actor.role in ("city", "admin") or (
        actor.role == "district" and (report.district_code == actor.district_code
                                      or (attachment.case_id is not None and is_accepted(session, report))))
    if not visible:
        raise NotFound("未找到该文件。")
    name = attachment.thumb_name if thumbnail else attachment.stored_name
    if not name:
        raise NotFound("该文件没有缩略图。")
    try:
        path = uploads.path_of(upload_dir, name)
    except FileNotFoundError as exc:
        raise NotFound("未找到该文件。") from exc
    if not path.is_file():
        raise NotFound("未找到该文件。")
    if thumbnail:
        return FileToServe(str(path), "image/jpeg", "thumbnail.jpg", True)
    name = upload_names.download_name(attachment.original_name, attachment.format)
    return FileToServe(str(path), attachment.mime, name, attachment.kind in ("picture", "video"))
