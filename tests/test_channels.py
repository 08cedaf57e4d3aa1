"""Notification channels: e-mail through a real local SMTP server (aiosmtpd), a signed webhook to a real
local HTTP receiver that is down for the first attempts (the outbox retries with backoff and loses
nothing), per-kind channel preferences, and delivery only after the step committed."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.factories import submitted_filing
from tests.test_web_helpers import fresh
from workflows import service
from workflows.clock import now
from workflows.models import OutboxMessage, User
from workflows.notifications import channels


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def restore_channels() -> Iterator[None]:
    saved = channels.ChannelSettings(**vars(channels.SETTINGS))
    yield
    for key, value in vars(saved).items():
        setattr(channels.SETTINGS, key, value)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture()
def smtp_server(restore_channels) -> Iterator[Inbox]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    service.configure_channels(smtp_url=f"smtp://127.0.0.1:{port}", smtp_from="noreply@test.gz.gov.cn")
    try:
        yield inbox
    finally:
        controller.stop()


def set_email(session, username: str, email: str) -> User:  # type: ignore[no-untyped-def]
    user = session.scalars(select(User).where(User.username == username)).one()
    user.email = email
    session.commit()
    return user


def outbox(session) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(fresh(session).scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_email_goes_out_after_commit_through_smtp(world, session, smtp_server):  # type: ignore[no-untyped-def]
    set_email(session, "review-440106", "reviewer@tianhe.test")
    submitted_filing(session, world)
    [queued] = outbox(session)
    assert queued.channel == "email" and queued.delivered_at is None
    assert smtp_server.messages == []  # nothing was sent inside the submission's transaction
    result = service.deliver_outbox(session)
    assert (result.sent, result.retried, result.failed) == (1, 0, 0)
    [(sender, recipients, content)] = smtp_server.messages
    assert sender == "noreply@test.gz.gov.cn" and recipients == ["reviewer@tianhe.test"]
    from email import message_from_bytes
    from email.header import decode_header, make_header

    mail = message_from_bytes(content)
    assert "收到新的培训备案" in str(make_header(decode_header(mail["Subject"])))
    assert "/cases/" in mail.get_payload(decode=True).decode("utf-8")
    assert outbox(session)[0].delivered_at is not None
    assert service.deliver_outbox(session).sent == 0  # delivered once


def test_users_choose_per_kind_which_channels_reach_them(world, session, smtp_server):  # type: ignore[no-untyped-def]
    user = set_email(session, "review-440106", "reviewer@tianhe.test")
    actor = world.actor("review-440106")
    prefs = service.notification_preferences(session, user.id)
    assert prefs[("arrived", "email")] is True
    service.save_notification_preferences(session, actor, [(k, c) for (k, c) in prefs if k != "arrived"])
    assert service.notification_preferences(session, user.id)[("arrived", "email")] is False
    submitted_filing(session, world)
    assert outbox(session) == []  # switched off for arrivals; the in-app notification is still there
    assert service.unread_count(session, actor.id) == 1
    service.urge_filing(session, world.actor("city"), outbox_case(session), "请尽快审核")
    assert [m.payload["kind"] for m in outbox(session)] == ["urge"]  # other kinds still e-mailed
    with pytest.raises(service_errors().ValidationFailed):
        service.save_notification_preferences(session, actor, [("arrived", "fax")])


def outbox_case(session) -> int:  # type: ignore[no-untyped-def]
    from workflows.models import WorkflowInstance

    return fresh(session).scalars(select(WorkflowInstance.id).where(WorkflowInstance.kind == "filing")).one()


def service_errors():  # type: ignore[no-untyped-def]
    from workflows import errors

    return errors


class Receiver(BaseHTTPRequestHandler):
    refuse = 2
    received: list[tuple[dict, str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.refuse > 0:
            Receiver.refuse -= 1
            self.send_response(503)
            self.end_headers()
            return
        Receiver.received.append((json.loads(body), self.headers["X-Signature-256"], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


def test_webhook_survives_a_receiver_down_for_the_first_attempts(world, session, restore_channels):  # type: ignore[no-untyped-def]
    Receiver.refuse, Receiver.received = 2, []
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    service.configure_channels(webhook_url=f"http://127.0.0.1:{closed_port()}/hook", webhook_secret="s3cret")
    try:
        submitted_filing(session, world)
        start = now()
        # Attempt 1: nobody listens at all (connection refused).
        assert service.deliver_outbox(session, start).retried == 1
        [row] = outbox(session)
        assert row.attempts == 1 and "Error" in row.last_error and row.delivered_at is None
        assert service.deliver_outbox(session, start + timedelta(seconds=30)).retried == 0  # backing off
        # The receiver comes up but answers 503 twice.
        thread.start()
        service.configure_channels(webhook_url=f"http://127.0.0.1:{port}/hook")
        assert service.deliver_outbox(session, start + timedelta(minutes=1)).retried == 1
        assert service.deliver_outbox(session, start + timedelta(minutes=4)).retried == 1
        assert outbox(session)[0].attempts == 3
        result = service.deliver_outbox(session, start + timedelta(minutes=20))
        assert result.sent == 1
    finally:
        server.shutdown()
        server.server_close()
    [(payload, signature, body)] = Receiver.received
    assert payload["event"] == "notification" and payload["kind"] == "arrived"
    assert payload["recipient"]["username"] == "review-440106" and "收到新的培训备案" in payload["title"]
    assert signature == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert outbox(session)[0].delivered_at is not None and outbox(session)[0].attempts == 4


def closed_port() -> int:
    return free_port()  # bound and released: nothing listens there


def test_backoff_grows_and_is_capped() -> None:
    assert [channels.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2),
                                                        timedelta(minutes=4)]
    assert channels.backoff(30) == timedelta(hours=6)


def test_a_message_is_given_up_after_the_last_attempt(world, session, restore_channels):  # type: ignore[no-untyped-def]
    service.configure_channels(webhook_url=f"http://127.0.0.1:{closed_port()}/hook", webhook_secret="x")
    submitted_filing(session, world)
    at = now()
    for _ in range(channels.MAX_ATTEMPTS):
        service.deliver_outbox(session, at)
        at += timedelta(days=1)
    [row] = outbox(session)
    assert row.failed_at is not None and row.attempts == channels.MAX_ATTEMPTS
    assert service.outbox_pending(session) == 0 and service.outbox_failures(session)[0].id == row.id


def test_preferences_page(app, world, session):  # type: ignore[no-untyped-def]
    from tests.test_web_helpers import login, text

    reviewer = login(app, "review-440106")
    page = reviewer.get("/notifications/settings")
    assert page.status_code == 200
    html = text(page)
    assert "通知设置" in html and "新收件" in html and "电子邮件" in html and "粤政易" in html
    bad = reviewer.post("/notifications/settings", data={"email": "not-an-address", "channels": ["urge:email"]})
    assert bad.status_code == 422 and "有效的电子邮箱" in text(bad)
    saved = reviewer.post("/notifications/settings", data={"email": "me@tianhe.test", "channels": ["urge:email"]})
    assert saved.status_code == 302
    user = fresh(session).scalars(select(User).where(User.username == "review-440106")).one()
    assert user.email == "me@tianhe.test"
    prefs = service.notification_preferences(session, user.id)
    assert prefs[("urge", "email")] and not prefs[("urge", "webhook")] and not prefs[("arrived", "email")]
    assert reviewer.post("/notifications/settings", data={"channels": ["urge:fax"]}).status_code == 422
