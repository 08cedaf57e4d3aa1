"""Supporting documents of a filing (证明材料: labour contracts, business licence, agreements, plans).

Uploads go through ``workflows.uploads`` exactly like the reports' files (type from the content, PDF,
JPEG/PNG or DOCX, size limits, disguised files refused, stored under a random name only after every
check passed). A filing's documents are in scope like its case (404 outside), may be added and removed
by the enterprise while the filing is editable (draft or returned), and every change is a line of the
case history. Which kinds a submission needs is the policy parameter ``required_attachments``; the
hard rule ``attachment_missing`` (``rules.hard``) refuses a submission without them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from sqlalchemy.orm import Session

from workflows import cases
from workflows.cases import audit, unit_of_work
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import Conflict, NotFound, ValidationFailed
from workflows.filings import status
from workflows.filings.use_cases import copy_filing, get_filing
from workflows.models import Filing, FilingAttachment
from workflows.rules.ids import ATTACHMENT_KINDS
from workflows.uploads import formats as upload_formats
from workflows.uploads import names as upload_names
from workflows.uploads import storage as uploads

UPLOAD_KIND = "evidence"
MAX_ATTACHMENTS = 100
MAX_NOTE = 200


@dataclass(frozen=True)
class IncomingDocument:
    """A supporting document arriving with a request."""

    stream: IO[bytes]
    filename: str | None
    mimetype: str | None
    kind: str  # one of ATTACHMENT_KINDS
    note: str = ""


def _own_filing(session: Session, actor: Actor, filing_id: int) -> Filing:
    filing = get_filing(session, actor, filing_id)
    if actor.role != "enterprise" or filing.enterprise_id != actor.enterprise_id:
        raise NotFound("未找到该备案。")
    return filing


def _check_editable(session: Session, filing: Filing) -> None:
    if filing.instance_id is None or status.edit_task(session, filing.instance_id) is None:
        raise Conflict("该备案当前状态不能修改证明材料（仅草稿或退回修改时可以上传、删除）。")


def list_attachments(session: Session, actor: Actor, filing_id: int) -> list[FilingAttachment]:
    """The filing's documents, for anyone who may see the filing."""
    return list(get_filing(session, actor, filing_id).attachments)


def add_attachment(session: Session, actor: Actor, filing_id: int, incoming: IncomingDocument, *,
                   upload_dir: str, limits: upload_formats.UploadLimits) -> FilingAttachment:
    """Check and store one document, then record it on the filing and in the case history (one unit of
    work; a refused file or a failed unit of work leaves no file behind)."""
    if incoming.kind not in ATTACHMENT_KINDS:
        message = "请选择证明材料类别：" + "、".join(f"{k}（{v}）" for k, v in ATTACHMENT_KINDS.items())
        raise ValidationFailed("证明材料类别不正确。", {"kind": [message]})
    note = (incoming.note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed(f"说明不能超过{MAX_NOTE}个字。", {"note": [f"说明不能超过{MAX_NOTE}个字"]})
    # Scope and state before any byte is copied (no lock held while the file streams in).
    filing = _own_filing(session, actor, filing_id)
    _check_editable(session, filing)
    session.rollback()
    try:
        stored = uploads.receive(incoming.stream, incoming.filename, UPLOAD_KIND, upload_dir=upload_dir,
                                 limits=limits, claimed_mime=incoming.mimetype)
    except upload_formats.UploadRefused as exc:
        raise ValidationFailed(exc.message, {"file": [exc.message]}) from exc
    try:
        with unit_of_work(session):
            filing = _own_filing(session, actor, filing_id)
            instance = cases.locked(session, filing.instance_id, "未找到该备案。")
            _check_editable(session, filing)
            if len(filing.attachments) >= MAX_ATTACHMENTS:
                raise Conflict(f"一份备案最多上传{MAX_ATTACHMENTS}份证明材料。")
            row = FilingAttachment(
                filing_id=filing.id, kind=incoming.kind, note=note, format=stored.format, mime=stored.mime,
                stored_name=stored.stored_name, thumb_name=stored.thumb_name,
                original_name=stored.original_name, size_bytes=stored.size, sha256=stored.sha256,
                uploaded_by=actor.id, created_at=now())
            filing.attachments.append(row)
            instance.updated_at = now()
            audit(session, instance, actor, "attach", status_before=instance.status,
                  comment=f"上传证明材料：{ATTACHMENT_KINDS[incoming.kind]}《{stored.original_name}》")
            session.flush()
    except BaseException:
        uploads.discard(upload_dir, [stored.stored_name, stored.thumb_name])
        raise
    return row


def delete_attachment(session: Session, actor: Actor, filing_id: int, attachment_id: int, *,
                      upload_dir: str) -> None:
    """Remove a document while the filing is editable (Conflict otherwise); the file goes after commit."""
    with unit_of_work(session):
        filing = _own_filing(session, actor, filing_id)
        row = session.get(FilingAttachment, attachment_id)
        if row is None or row.filing_id != filing.id:
            raise NotFound("未找到该证明材料。")
        instance = cases.locked(session, filing.instance_id, "未找到该备案。")
        _check_editable(session, filing)
        names = [row.stored_name, row.thumb_name]
        label = f"{row.kind_label}《{row.original_name}》"
        filing.attachments.remove(row)
        instance.updated_at = now()
        audit(session, instance, actor, "detach", status_before=instance.status, comment=f"删除证明材料：{label}")
    uploads.discard(upload_dir, names)


@dataclass(frozen=True)
class DocumentToServe:
    path: str
    mime: str
    download_name: str
    inline: bool


def document_to_serve(session: Session, actor: Actor, filing_id: int, attachment_id: int, *, upload_dir: str,
                      thumbnail: bool = False) -> DocumentToServe:
    """A stored document of a filing in the actor's scope (NotFound otherwise, like a missing id)."""
    filing = get_filing(session, actor, filing_id)
    row = session.get(FilingAttachment, attachment_id)
    if row is None or row.filing_id != filing.id:
        raise NotFound("未找到该证明材料。")
    name = row.thumb_name if thumbnail else row.stored_name
    if not name:
        raise NotFound("该文件没有缩略图。")
    try:
        path = uploads.path_of(upload_dir, name)
    except FileNotFoundError as exc:
        raise NotFound("未找到该证明材料。") from exc
    if not path.is_file():
        raise NotFound("未找到该证明材料。")
    if thumbnail:
        return DocumentToServe(str(path), "image/jpeg", "thumbnail.jpg", True)
    return DocumentToServe(str(path), row.mime, upload_names.download_name(row.original_name, row.format),
                           row.previewable)


def stored_names(filing: Filing) -> list[str | None]:
    """Every stored file of a filing (to discard after the filing is deleted)."""
    return [n for a in filing.attachments for n in (a.stored_name, a.thumb_name)]


def copy_with_documents(session: Session, actor: Actor, filing_id: int, *, upload_dir: str) -> Filing:
    """复制为新备案 with the supporting documents too: each copy gets its own stored files (so deleting one
    filing's document never touches the other's)."""
    source = _own_filing(session, actor, filing_id)
    documents = [(a.kind, a.note, a.format, a.mime, a.stored_name, a.thumb_name, a.original_name, a.size_bytes,
                  a.sha256) for a in source.attachments]
    copy = copy_filing(session, actor, filing_id)
    if not documents:
        return copy
    made: list[str | None] = []
    try:
        rows = []
        for kind, note, fmt, mime, stored, thumb, original, size, sha in documents:
            new_stored = uploads.duplicate(upload_dir, stored)
            made.append(new_stored)
            new_thumb = uploads.duplicate(upload_dir, thumb) if thumb else None
            made.append(new_thumb)
            rows.append(FilingAttachment(kind=kind, note=note, format=fmt, mime=mime, stored_name=new_stored,
                                         thumb_name=new_thumb, original_name=original, size_bytes=size,
                                         sha256=sha, uploaded_by=actor.id, created_at=now()))
        with unit_of_work(session):
            filing = _own_filing(session, actor, copy.id)
            filing.attachments.extend(rows)
    except BaseException:
        uploads.discard(upload_dir, made)
        raise
    return copy
