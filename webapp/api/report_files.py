"""Files of semiannual reports: uploading a typical case's pictures, videos and documents (multipart,
checked by ``workflows.uploads`` exactly as on the screens), scoped downloads and thumbnails, deleting
files, and the publicity items (with an optional scan). Every rule is in ``workflows.reports``.

Registered after ``webapp.api.reports`` (see ``webapp.api.API_MODULES``): these endpoints follow the
report's in the OpenAPI document, under the same tag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Response, request, send_file

from config import Config
from webapp.api import serializers
from webapp.api.core import ApiCall, fresh_session, id_param, operation
from webapp.api.errors import ApiError, json_response
from webapp.api.registry import Response as Reply
from webapp.api.reports import CASE_ID, REPORT_ID, REPORT_ROLES, TAG, case_of_report, case_response
from webapp.api.validation import RequestInvalid
from webapp.extensions import db_session
from webapp.reports import views as screens
from webapp.reports.blueprint import limits, upload_dir
from workflows import errors, service
from workflows.models.report_models import PublicityItem, ReportAttachment

ATTACHMENT_ID = id_param("attachment_id", "文件编号")
ITEM_ID = id_param("item_id", "宣传报道编号")

# The largest body an upload may have: the largest file the configuration allows, plus the form around it
# (the app's own limits, which may be lower, are enforced in ``_uploads`` and per file by workflows.uploads).
CASE_FILES_MAX_BODY = max(Config.UPLOAD_MAX_PICTURE_BYTES, Config.UPLOAD_MAX_VIDEO_BYTES,
                          Config.UPLOAD_MAX_DOCUMENT_BYTES) + screens.MULTIPART_ROOM
SCAN_MAX_BODY = max(Config.UPLOAD_MAX_PICTURE_BYTES, Config.UPLOAD_MAX_DOCUMENT_BYTES) + screens.MULTIPART_ROOM
FILE_MEDIA = tuple(dict.fromkeys(f.mime for f in service.FORMATS.values()))
CASE_FILE_FIELDS = {"pictures": "picture", "videos": "video", "documents": "document"}


def _uploads(kind: str | None) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Upload endpoints: the body may be as large as the largest file the app accepts for ``kind`` (any kind
    when None) plus the form, and file parts are spooled to UPLOAD_DIR/tmp (same filesystem as the stored
    files), as on the screens."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(view)
        def wrapped(**values: Any) -> Response:
            allowed = limits()
            cap = (allowed.largest if kind is None else allowed.of(kind)) + screens.MULTIPART_ROOM
            if request.content_length is not None and request.content_length > cap:
                raise ApiError(413, f"请求体不能超过{service.human_size(cap)}。")
            request.form_data_parser_class = screens.SpoolingParser
            return view(**values)

        return wrapped

    return decorate


def _files(fields: dict[str, str]) -> list[service.IncomingFile]:
    """The uploaded files of the declared file fields (field -> kind); any other file part is refused."""
    unknown = sorted(set(request.files) - set(fields))
    if unknown:
        raise RequestInvalid("提交的内容有误，请按字段提示修改。", {name[:100]: ["不允许的字段"] for name in unknown})
    return [service.IncomingFile(stream=f.stream, filename=f.filename, mimetype=f.mimetype, kind=kind)
            for name, kind in fields.items() for f in request.files.getlist(name) if f.filename]



def _attachment_of_report(call: ApiCall) -> ReportAttachment:
    attachment = db_session().get(ReportAttachment, call.path["attachment_id"])
    if attachment is None or attachment.report_id != call.path["id"]:
        raise errors.NotFound("未找到该文件。")
    return attachment



@operation(
    "POST", "/reports/{id}/cases/{case_id}/attachments", operation_id="upload_case_files", tag=TAG,
    roles=("district",), params=(REPORT_ID, CASE_ID), summary="上传典型案例的图片、视频、文档",
    description="`multipart/form-data`，文件字段 `pictures`、`videos`、`documents`，每个可重复。"
                "类型按文件内容判断（图片 JPEG/PNG/WebP，视频 MP4，文档 PDF/DOCX），大小上限与页面相同；"
                "任何一个文件未通过检查，整个请求不保存任何内容，返回 422 并在对应字段下说明原因。"
                "示例：`curl -F pictures=@学徒风采.jpg -F videos=@实训.mp4 ...`",
    body="ReportCaseFiles", body_media="multipart/form-data", max_body=CASE_FILES_MAX_BODY,
    decorators=(_uploads(None),), responses={201: Reply("ReportCase", "上传后的案例")}, errors=(409,),
)
def upload_case_files(call: ApiCall) -> Response:
    case_id = case_of_report(call)
    service.add_report_case_files(db_session(), call.who, call.path["id"], case_id, _files(CASE_FILE_FIELDS),
                           upload_dir=upload_dir(), limits=limits())
    return case_response(call, case_id, 201)


@operation(
    "GET", "/reports/{id}/attachments/{attachment_id}", operation_id="download_attachment", tag=TAG,
    roles=REPORT_ROLES, params=(REPORT_ID, ATTACHMENT_ID), summary="下载文件",
    description="本区报告的文件；其他区的只有已接收报告中典型案例的文件（案例库）可以下载。",
    responses={200: Reply(None, "文件内容（类型见 Content-Type）", media=FILE_MEDIA)},
)
def download_attachment(call: ApiCall) -> Response:
    return _serve(call, thumbnail=False)


@operation(
    "GET", "/reports/{id}/attachments/{attachment_id}/thumbnail", operation_id="download_thumbnail", tag=TAG,
    roles=REPORT_ROLES, params=(REPORT_ID, ATTACHMENT_ID), summary="下载图片缩略图",
    description="图片的 JPEG 缩略图（最长边 480 像素）；其他文件返回 404。范围与下载文件相同。",
    responses={200: Reply(None, "JPEG 缩略图", media=("image/jpeg",))},
)
def download_thumbnail(call: ApiCall) -> Response:
    return _serve(call, thumbnail=True)


def _serve(call: ApiCall, thumbnail: bool) -> Response:
    _attachment_of_report(call)
    found = service.file_to_serve(db_session(), call.who, call.path["attachment_id"], upload_dir=upload_dir(),
                                  thumbnail=thumbnail)
    response = send_file(found.path, mimetype=found.mime, conditional=True, etag=True, max_age=0)
    response.headers["Content-Disposition"] = service.content_disposition(found.download_name, found.inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@operation(
    "DELETE", "/reports/{id}/attachments/{attachment_id}", operation_id="delete_attachment", tag=TAG,
    roles=("district",), params=(REPORT_ID, ATTACHMENT_ID), summary="删除文件",
    description="报告编写或补充时可删除从未报送过的文件；已随报告报送的返回 409。",
    responses={204: Reply(None, "已删除")}, errors=(409,),
)
def delete_attachment(call: ApiCall) -> Response:
    attachment = _attachment_of_report(call)
    service.remove_attachment(db_session(), call.who, attachment.id, upload_dir=upload_dir())
    return Response(status=204)


# --- publicity ---------------------------------------------------------------------------------------------


@operation(
    "POST", "/reports/{id}/publicity", operation_id="add_publicity", tag=TAG, roles=("district",),
    params=(REPORT_ID,), summary="新增宣传报道",
    description="`multipart/form-data`：`outlet`、`published_on`、`title`，以及 `link` 或报道扫描件 `scan`"
                "（图片或 PDF）。扫描件的检查与页面相同。",
    body="PublicityInput", body_media="multipart/form-data", max_body=SCAN_MAX_BODY, decorators=(_uploads("scan"),),
    responses={201: Reply("PublicityItem", "新增的宣传报道")}, errors=(409,),
)
def add_publicity(call: ApiCall) -> Response:
    body = call.body
    scans = _files({"scan": "scan"})
    if len(scans) > 1:
        raise RequestInvalid("只能上传一个报道扫描件。", {"scan": ["只能上传一个报道扫描件"]})
    data = service.PublicityData(outlet=body["outlet"].strip(),
                                          published_on=date.fromisoformat(body["published_on"]),
                                          title=body["title"].strip(), link=body.get("link", "").strip())
    item = service.add_publicity(db_session(), call.who, call.path["id"], data, scans[0] if scans else None,
                                          upload_dir=upload_dir(), limits=limits())
    session = fresh_session()
    found = session.get(PublicityItem, item.id)
    assert found is not None
    return json_response(serializers.publicity(found), 201, {"Location": f"/api/v1/reports/{call.path['id']}"})


@operation(
    "DELETE", "/reports/{id}/publicity/{item_id}", operation_id="delete_publicity", tag=TAG, roles=("district",),
    params=(REPORT_ID, ITEM_ID), summary="删除宣传报道",
    description="只能删除从未报送过的宣传报道；已报送过的返回 409。",
    responses={204: Reply(None, "已删除")}, errors=(409,),
)
def delete_publicity(call: ApiCall) -> Response:
    item = db_session().get(PublicityItem, call.path["item_id"])
    if item is None or item.report_id != call.path["id"]:
        raise errors.NotFound("未找到该宣传报道。")
    service.delete_publicity(db_session(), call.who, item.id, upload_dir=upload_dir())
    return Response(status=204)

