"""站内信 inbox: the signed-in user's notifications, newest first; open one (marks it read), mark all read.
Registers ``app.extensions["unread_counter"]`` for the bell in base.html."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user, login_required

from webapp.extensions import db_session
from webapp.form_errors import place_errors
from webapp.models import current_actor
from webapp.notifications.forms import MarkAllReadForm, MarkReadForm, PreferencesForm
from webapp.pagination import Page
from workflows import errors, service
from workflows.models import Notification

bp = Blueprint("notifications", __name__, static_folder="static",
               static_url_path="/notifications/static")

PER_PAGE = 20


def _unread_counter(user) -> int:  # type: ignore[no-untyped-def]
    return service.unread_count(db_session(), user.id)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    app.extensions["unread_counter"] = _unread_counter


def target_url(row: Notification) -> str | None:
    """Where a notification leads: its own same-site link, else its case (the case kind's page registered
    in app.extensions["case_links"], else the generic case page)."""
    if row.link and row.link.startswith("/") and not row.link.startswith("//"):
        return row.link
    if row.instance_id is None:
        return None
    builder = current_app.extensions.get("case_links", {}).get(row.case_kind)
    if builder is not None:
        return str(builder(row.instance_id))
    if "cases.detail" in current_app.view_functions:
        return url_for("cases.detail", case_id=row.instance_id)
    return None


@bp.route("/notifications/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    page = service.page_number(request.args.get("page"))
    unread_only = request.args.get("unread") == "1"
    rows, total = service.notifications_for(db_session(), actor, page, PER_PAGE, unread_only)
    return render_template("notifications/index.html", rows=rows, page=Page(page, PER_PAGE, total),
                           unread_only=unread_only, links={r.id: target_url(r) for r in rows},
                           unread=service.unread_count(db_session(), actor.id),
                           read_form=MarkReadForm(), all_form=MarkAllReadForm())


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):  # type: ignore[no-untyped-def]
    """Mark one read; with ``open=1`` go on to what it is about."""
    actor = current_actor()
    form = MarkReadForm()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重试。", "error")
        return redirect(url_for("notifications.index"))
    row = service.mark_notification_read(db_session(), actor, notification_id)
    if request.form.get("open") == "1":
        target = target_url(row)
        if target:
            return redirect(target)
    return redirect(url_for("notifications.index", unread=request.args.get("unread") or None))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():  # type: ignore[no-untyped-def]
    form = MarkAllReadForm()
    if form.validate_on_submit():
        count = service.mark_all_notifications_read(db_session(), current_actor())
        flash(f"已将 {count} 条消息标为已读。" if count else "没有未读消息。", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():  # type: ignore[no-untyped-def]
    """通知设置: per kind, whether e-mail and 粤政易 push reach the user (站内信 always does)."""
    actor = current_actor()
    form = PreferencesForm()
    kinds, outbox_channels = service.NOTIFICATION_KINDS, [c for c in service.NOTIFICATION_CHANNELS if c != "in_app"]
    form.channels.choices = [(f"{k}:{c}", f"{label} · {service.NOTIFICATION_CHANNELS[c]}")
                             for k, label in kinds.items() for c in outbox_channels]
    if request.method == "GET":
        prefs = service.notification_preferences(db_session(), actor.id)
        form.channels.data = [f"{k}:{c}" for (k, c), on in prefs.items() if on]
        form.email.data = getattr(current_user, "email", "") or ""
    elif form.validate_on_submit():
        pairs = [tuple(v.split(":", 1)) for v in form.channels.data or []]
        try:
            service.save_notification_preferences(db_session(), actor, pairs,  # type: ignore[arg-type]
                                                  email=form.email.data or "")
        except errors.ValidationFailed as exc:
            place_errors(exc.fields, form)
        else:
            flash("通知设置已保存。", "success")
            return redirect(url_for("notifications.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("notifications/settings.html", form=form, kinds=kinds, channels=outbox_channels,
                           channel_labels=service.NOTIFICATION_CHANNELS, live=service.channel_status(),
                           selected=set(form.channels.data or [])), status
