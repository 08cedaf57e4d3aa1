"""站内信 (in-app notifications) of the caller: list (all or unread), unread count, mark one or all read.
Everyone sees only their own; someone else's notification is 404. Rules in ``workflows.notifications``."""

from __future__ import annotations

from flask import Response

from webapp.api import serializers
from webapp.api.core import MAX_ID, PAGE, PER_PAGE, ApiCall, operation, page_of
from webapp.api.errors import json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.extensions import db_session
from workflows import service

TAG = tag("站内信", "调用者本人的站内信：新任务、到期提醒、逾期、催办、退回和办理结果等。只能看到和标记自己的。")


@operation(
    "GET", "/notifications", operation_id="list_notifications", tag=TAG, summary="站内信列表",
    description="最新的在前。`unread` 为未读总数（与筛选无关）。`web_path` 是在网页上打开的地址，"
                "`case_id` 指向相关案件（GET /cases/{id}）。",
    params=(
        Param("unread", {"type": "boolean"}, "true 只看未读"),
        PAGE, PER_PAGE,
    ),
    responses={200: Reply("NotificationList", "一页站内信")},
)
def list_notifications(call: ApiCall) -> Response:
    q = call.query
    page, per_page = page_of(call)
    session = db_session()
    rows, total = service.notifications_for(session, call.who, page, per_page, bool(q.get("unread")))
    return json_response({"items": [serializers.notification(r) for r in rows], "page": page,
                          "per_page": per_page, "total": total,
                          "unread": service.unread_count(session, call.who.id)})


@operation(
    "GET", "/notifications/unread-count", operation_id="count_unread_notifications", tag=TAG,
    summary="未读站内信数", description="页面右上角铃铛上的数字。",
    responses={200: Reply("UnreadCount", "未读数")},
)
def count_unread_notifications(call: ApiCall) -> Response:
    return json_response({"unread": service.unread_count(db_session(), call.who.id)})


@operation(
    "POST", "/notifications/{id}/read", operation_id="read_notification", tag=TAG,
    params=(Param("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "站内信编号", location="path",
                  required=True, example=1),),
    summary="标为已读", description="重复调用不改变首次阅读时间。别人的站内信返回 404。",
    responses={200: Reply("Notification", "标记后的站内信")},
)
def read_notification(call: ApiCall) -> Response:
    row = service.mark_notification_read(db_session(), call.who, call.path["id"])
    return json_response(serializers.notification(row))


@operation(
    "POST", "/notifications/read-all", operation_id="read_all_notifications", tag=TAG, summary="全部标为已读",
    description="返回本次标为已读的条数。", responses={200: Reply("ReadAll", "结果")},
)
def read_all_notifications(call: ApiCall) -> Response:
    marked = service.mark_all_notifications_read(db_session(), call.who)
    return json_response({"marked": marked, "unread": service.unread_count(db_session(), call.who.id)})
