"""Delivery channels beyond the in-app inbox: e-mail over SMTP (``SMTP_URL``) and a signed webhook
(``WEBHOOK_URL``, e.g. a 粤政易 bridge), through a persistent outbox.

* ``enqueue`` runs inside the unit of work that writes the in-app notifications: one ``notification_outbox``
  row per recipient and channel the recipient has not switched off (``notification_preference``; no row
  means on) and the installation has configured. A rolled-back step leaves no outbox row.
* ``drain`` (``flask notifications deliver``, and every ``workflows tick`` / scheduler round) sends what is
  due AFTER the step committed, never inside a request: each message is leased in its own short
  transaction (FOR UPDATE SKIP LOCKED on PostgreSQL, so several drains never send one message twice),
  sent with no transaction open, then marked delivered — or retried with exponential backoff
  (1 min, 2 min, 4 min ... capped at 6 h) up to ``MAX_ATTEMPTS``, after which it is marked failed.
  Nothing is lost while a receiver is down.
* The webhook body is JSON; header ``X-Signature-256: sha256=<hex HMAC-SHA256 of the body with
  WEBHOOK_SECRET>`` and ``X-Timestamp`` let the receiver check it came from us.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from workflows.cases import unit_of_work
from workflows.clock import now
from workflows.dto import Actor
from workflows.errors import NotFound, ValidationFailed
from workflows.models import User
from workflows.models.notification import (
    CHANNELS,
    NOTIFICATION_KINDS,
    OUTBOX_CHANNELS,
    NotificationPreference,
    OutboxMessage,
)

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
SIGNATURE_HEADER = "X-Signature-256"


@dataclass
class ChannelSettings:
    """What this installation is configured with (``configure`` at start-up, from the app config)."""

    smtp_url: str = ""
    smtp_from: str = "noreply@localhost"
    webhook_url: str = ""
    webhook_secret: str = ""
    site_url: str = ""  # prefix for links in e-mails and webhook payloads
    timeout_seconds: float = 10.0

    def enabled(self, channel: str) -> bool:
        return bool(self.smtp_url) if channel == "email" else bool(self.webhook_url) if channel == "webhook" else False


SETTINGS = ChannelSettings()


def configure(smtp_url: str | None = None, smtp_from: str | None = None, webhook_url: str | None = None,
              webhook_secret: str | None = None, site_url: str | None = None) -> None:
    """Set the channels from the app config (None leaves a setting as it is)."""
    for name, value in (("smtp_url", smtp_url), ("smtp_from", smtp_from), ("webhook_url", webhook_url),
                        ("webhook_secret", webhook_secret), ("site_url", site_url)):
        if value is not None:
            setattr(SETTINGS, name, str(value))


# --------------------------------------------------------------------------------------------------
# Preferences


def preferences(session: Session, user_id: int) -> dict[tuple[str, str], bool]:
    """(kind, channel) -> on/off for every notification kind and outbox channel (default on)."""
    chosen = {(p.kind, p.channel): p.enabled for p in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id))}
    return {(kind, channel): chosen.get((kind, channel), True)
            for kind in NOTIFICATION_KINDS for channel in OUTBOX_CHANNELS}


EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def save_preferences(session: Session, actor: Actor, enabled: Iterable[tuple[str, str]],
                     email: str | None = None) -> None:
    """Keep exactly the (kind, channel) pairs in ``enabled`` switched on for the actor (in-app is always
    on); ``email`` (if given) is where the e-mail channel reaches them ("" removes it)."""
    wanted = set(enabled)
    unknown = [pair for pair in wanted if pair[0] not in NOTIFICATION_KINDS or pair[1] not in OUTBOX_CHANNELS]
    if unknown:
        raise ValidationFailed("通知设置有误。", {"channels": ["通知设置有误。"]})
    address = (email or "").strip()
    if email is not None and address and (len(address) > 200 or not EMAIL_PATTERN.match(address)):
        raise ValidationFailed("请填写有效的电子邮箱地址。", {"email": ["请填写有效的电子邮箱地址。"]})
    with unit_of_work(session):
        user = session.get(User, actor.id)
        if user is None:
            raise NotFound("用户不存在。")
        if email is not None:
            user.email = address
        session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == actor.id))
        session.execute(insert(NotificationPreference), [
            {"user_id": actor.id, "kind": kind, "channel": channel, "enabled": (kind, channel) in wanted}
            for kind in NOTIFICATION_KINDS for channel in OUTBOX_CHANNELS])


def channel_status() -> dict[str, bool]:
    """Which channels this installation delivers (in-app always)."""
    return {channel: channel == "in_app" or SETTINGS.enabled(channel) for channel in CHANNELS}


# --------------------------------------------------------------------------------------------------
# Enqueue (inside the caller's unit of work)


def enqueue(session: Session, user_ids: list[int], *, kind: str, title: str, body: str, link: str,
            instance_id: int | None, case_kind: str, created: datetime) -> int:
    """Write the outbox rows for these recipients (no commit); returns how many."""
    channels = [c for c in OUTBOX_CHANNELS if SETTINGS.enabled(c)]
    if not channels or not user_ids:
        return 0
    users = session.execute(select(User.id, User.username, User.display_name, User.email)
                            .where(User.id.in_(user_ids))).tuples().all()
    off = set(session.execute(select(NotificationPreference.user_id, NotificationPreference.channel).where(
        NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == kind,
        NotificationPreference.enabled.is_(False))).tuples().all())
    link = link or (f"/cases/{instance_id}" if instance_id else "")
    rows: list[dict[str, Any]] = []
    for user_id, username, name, email in users:
        for channel in channels:
            if (user_id, channel) in off or (channel == "email" and not email):
                continue
            payload = {"kind": kind, "kind_label": NOTIFICATION_KINDS.get(kind, kind), "title": title, "body": body,
                       "link": link, "case_id": instance_id, "case_kind": case_kind,
                       "recipient": {"username": username, "name": name},
                       "created_at": created.isoformat()}
            if channel == "email":
                payload["to"] = email
            rows.append({"user_id": user_id, "channel": channel, "payload": payload, "attempts": 0,
                         "next_attempt_at": created, "last_error": "", "created_at": created})
    if rows:
        session.execute(insert(OutboxMessage), rows)
    return len(rows)


# --------------------------------------------------------------------------------------------------
# Sending (after commit)


def sign(secret: str, body: bytes) -> str:
    """The webhook signature header value: ``sha256=<hex HMAC-SHA256(secret, body)>``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send_webhook(payload: dict[str, Any]) -> None:
    """POST the payload as JSON to WEBHOOK_URL, signed; any non-2xx answer or network error raises."""
    body = json.dumps({"event": "notification", **payload}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(SETTINGS.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        SIGNATURE_HEADER: sign(SETTINGS.webhook_secret, body),
        "X-Timestamp": now().isoformat(),
    })
    with urllib.request.urlopen(request, timeout=SETTINGS.timeout_seconds) as reply:  # noqa: S310 (configured URL)
        if not 200 <= reply.status < 300:
            raise OSError(f"webhook answered {reply.status}")


def _smtp_parts(url: str) -> tuple[str, str, int, str, str, bool]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        raise ValueError("SMTP_URL must start with smtp:// or smtps://")
    starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
    port = parts.port or (465 if scheme == "smtps" else 25)
    return (scheme, parts.hostname or "localhost", port, unquote(parts.username or ""), unquote(parts.password or ""),
            starttls)


def send_email(payload: dict[str, Any]) -> None:
    """Send the notification as a plain-text e-mail through SMTP_URL (smtp:// or smtps://, ?starttls=1)."""
    scheme, host, port, user, password, starttls = _smtp_parts(SETTINGS.smtp_url)
    message = EmailMessage()
    message["Subject"] = f"【{payload.get('kind_label', '通知')}】{payload.get('title', '')}"
    message["From"] = SETTINGS.smtp_from
    message["To"] = payload["to"]
    link = payload.get("link") or ""
    text = "\n\n".join(x for x in (payload.get("body") or "",
                                    f"查看：{SETTINGS.site_url}{link}" if link else "",
                                    "——广州市企业新型学徒制管理系统（请勿直接回复本邮件）") if x)
    message.set_content(text)
    if scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SETTINGS.timeout_seconds,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=SETTINGS.timeout_seconds)
    with client:
        if starttls:
            client.starttls(context=ssl.create_default_context())
        if user:
            client.login(user, password)
        client.send_message(message)


SENDERS = {"email": send_email, "webhook": send_webhook}


@dataclass(frozen=True)
class DrainResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1 min, 2 min, 4 min ... capped at 6 hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _lease(session: Session, at: datetime, limit: int) -> list[tuple[int, str, dict[str, Any], int]]:
    """Take up to ``limit`` due messages for this drain (one short transaction)."""
    with unit_of_work(session):
        stmt = (select(OutboxMessage.id).where(OutboxMessage.delivered_at.is_(None), OutboxMessage.failed_at.is_(None),
                                               OutboxMessage.next_attempt_at <= at)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
        if session.get_bind().dialect.name != "sqlite":
            stmt = stmt.with_for_update(skip_locked=True)
        ids = list(session.scalars(stmt))
        if not ids:
            return []
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(
            next_attempt_at=at + LEASE, attempts=OutboxMessage.attempts + 1).execution_options(
            synchronize_session=False))
        taken = session.execute(select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.payload,
                                       OutboxMessage.attempts).where(OutboxMessage.id.in_(ids))
                                .order_by(OutboxMessage.id)).tuples().all()
    return [(i, c, dict(p or {}), int(a)) for i, c, p, a in taken]


def drain(session: Session, at: datetime | None = None, limit: int = 100) -> DrainResult:
    """Send every outbox message due at ``at`` (after commit; see the module docstring)."""
    at = at or now()
    sent = retried = failed = 0
    for message_id, channel, payload, attempts in _lease(session, at, limit):
        sender = SENDERS.get(channel)
        error = ""
        if sender is None or not SETTINGS.enabled(channel):
            error = f"channel {channel} is not configured"
        else:
            try:
                sender(payload)
            except Exception as exc:  # noqa: BLE001  (any failure is retried later)
                error = f"{type(exc).__name__}: {exc}"[:1000]
        with unit_of_work(session):
            values: dict[str, Any]
            if not error:
                values = {"delivered_at": now(), "last_error": ""}
                sent += 1
            elif attempts >= MAX_ATTEMPTS:
                values = {"failed_at": now(), "last_error": error}
                failed += 1
            else:
                values = {"next_attempt_at": at + backoff(attempts), "last_error": error}
                retried += 1
            session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
                            .execution_options(synchronize_session=False))
    return DrainResult(sent, retried, failed)


def pending_count(session: Session) -> int:
    """Messages not yet delivered nor given up."""
    return len(session.scalars(select(OutboxMessage.id).where(
        OutboxMessage.delivered_at.is_(None), OutboxMessage.failed_at.is_(None))).all())


def failed_messages(session: Session, limit: int = 50) -> list[OutboxMessage]:
    """The latest messages given up on or still retrying with an error (admin view / CLI)."""
    return list(session.scalars(select(OutboxMessage).where(
        or_(OutboxMessage.failed_at.is_not(None), OutboxMessage.last_error != ""),
        OutboxMessage.delivered_at.is_(None)).order_by(OutboxMessage.id.desc()).limit(limit)))
