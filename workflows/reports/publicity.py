"""Publicity items (宣传报道) of a semiannual report: the district adds one with a link or a scanned copy,
or deletes one never submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from workflows import clock
from workflows.cases import audit, unit_of_work
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import NotFound, ValidationFailed
from workflows.models.report_models import PublicityItem
from workflows.reports.config import MAX_PUBLICITY
from workflows.reports.editing import clean_text, delete_unsubmitted, lock_editable, precheck_editable, touch_instance
from workflows.reports.files import Incoming, attachment_row, discard_stored, receive_all, refusal
from workflows.uploads import formats as upload_formats


@dataclass
class PublicityData:
    """A publicity item: where and when it appeared, its title, and a link (or a scan uploaded with it)."""

    outlet: str = ""
    published_on: date | None = None
    title: str = ""
    link: str = ""


def _publicity_errors(data: PublicityData, has_scan: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.outlet.strip():
        errors["outlet"] = ["请填写媒体或平台名称。"]
    if not data.title.strip():
        errors["title"] = ["请填写报道标题。"]
    if data.published_on is None:
        errors["published_on"] = ["请填写发布日期。"]
    elif data.published_on > clock.china_today():
        errors["published_on"] = ["发布日期不能晚于今天。"]
    link = data.link.strip()
    if link:
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 1000:
            errors["link"] = ["链接须以 http:// 或 https:// 开头。"]
    elif not has_scan:
        errors["link"] = ["请填写报道链接，或上传报道扫描件。"]
    return errors


def add_publicity(session: Session, actor: Actor, report_id: int, data: PublicityData,
                  scan: Incoming | None = None, *, upload_dir: str, limits: upload_formats.UploadLimits
                  ) -> PublicityItem:
    """Add a publicity item with a link or a scan (a picture or a PDF)."""
    errors = _publicity_errors(data, scan is not None)
    if errors:
        raise ValidationFailed("请修改标出的内容。", errors)
    precheck_editable(session, actor, report_id)
    stored: list[upload_formats.StoredUpload] = []
    if scan is not None:
        stored, errors = receive_all([scan], upload_dir=upload_dir, limits=limits)
        if errors:
            raise refusal({"scan": [m for v in errors.values() for m in v]})
    try:
        with unit_of_work(session):
            report, instance = lock_editable(session, actor, report_id)
            if len(report.publicity) >= MAX_PUBLICITY:
                raise ValidationFailed(f"每份报告最多 {MAX_PUBLICITY} 条宣传报道。")
            item = PublicityItem(report_id=report.id, seq=len(report.publicity), outlet=clean_text(data.outlet, 200),
                                 published_on=data.published_on, title=clean_text(data.title, 300),
                                 link=data.link.strip(), created_at=now())
            report.publicity.append(item)
            for s in stored:
                item.attachments.append(attachment_row(report, s, actor))
            touch_instance(instance)
            audit(session, instance, actor, "add_publicity", comment=f"新增宣传报道“{item.title}”",
                  status_before=instance.status)
    except BaseException:
        discard_stored(upload_dir, stored)
        raise
    return item


def delete_publicity(session: Session, actor: Actor, item_id: int, *, upload_dir: str) -> None:
    """Delete a publicity item that has never been submitted."""
    item = session.get(PublicityItem, item_id)
    if item is None:
        raise NotFound("未找到该宣传报道。")
    delete_unsubmitted(session, actor, item, lambda report: report.publicity, what="宣传报道",
                       locked="该宣传报道已随报告报送，不能删除。", action="delete_publicity", upload_dir=upload_dir)
