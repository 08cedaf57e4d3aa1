"""Training filings (培训备案): create a draft, edit it, submit it, withdraw it. Each answers with the case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Response, request

from config import Config
from webapp.api import serializers
from webapp.api.core import MAX_ID, REVEAL, ApiCall, operation, reveal_ids
from webapp.api.errors import json_response
from webapp.api.registry import Param, tag
from webapp.api.registry import Response as Reply
from webapp.api.validation import RequestInvalid
from webapp.extensions import db_session
from webapp.reports.blueprint import limits, upload_dir
from webapp.reports.views import MULTIPART_ROOM, SpoolingParser
from workflows import service
from workflows.dto import FilingData
from workflows.models import Filing, FilingAttachment

TAG = tag("培训备案", "企业经办人创建、修改、提交和撤回培训备案。路径中的 id 为备案编号（案件详情中的 filing.id）。")
FILING_ID = Param("id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "备案编号", location="path",
                  required=True, example=1)


def _example() -> dict[str, Any]:


    year = date.today().year
    return {
        "apprenticeship_type": "enterprise_apprentice",
        "occupation_code": "6-18-01-01",
        "level": 4,
        "institution": {"name": "广州市工贸技师学院", "type": "technical_school"},
        "period": {"start": f"{year}-03-01", "end": f"{year + 1}-02-28"},
        "tutors": {"enterprise": "陈师傅", "institution": "李老师"},
        "trainees": [{"name": "张伟", "id_number": service.id_number("440106", date(2000, 5, 1), 12),
                      "job_post": "数控车床操作工", "contract_start": f"{year - 1}-09-01"}],
        "courses": [
            {"category": "general_required", "name": "职业道德", "hours": 24, "textbook_isbn": "9787516738016"},
            {"category": "professional_skill", "name": "车工工艺与技能训练", "hours": 160,
             "textbook_isbn": "", "off_catalogue_reason": "企业自编讲义，目录内暂无对应教材"},
        ],
    }


EXAMPLE = _example()


def _data(body: dict[str, Any]) -> FilingData:
    code = body["occupation_code"].strip()
    if code not in service.occupations(db_session()):
        raise RequestInvalid("职业（工种）代码不在目录中。",
                             {"occupation_code": ["不在职业（工种）目录中，请从 GET /api/v1/occupations 选择"]})
    return serializers.filing_data(body)


def _case_of(call: ApiCall, filing: Filing, status: int = 200, reveal: bool = False) -> Response:
    session = db_session()
    instance = service.get_case(session, call.who, filing.instance_id)  # type: ignore[arg-type]
    headers = {"Location": f"/api/v1/cases/{instance.id}"} if status == 201 else None
    revealed = reveal and reveal_ids(call, instance)
    return json_response(serializers.case(session, call.who, instance, revealed=revealed), status, headers)


@operation(
    "POST", "/filings", operation_id="create_filing", tag=TAG, roles=("enterprise",),
    summary="新建培训备案（草稿）",
    description="以与页面表单相同的字段创建草稿，返回 201 和案件详情（状态 `draft`）。"
                "内容的硬性规则在提交时校验；本接口只校验格式和职业代码。",
    body="FilingInput", body_example=EXAMPLE, responses={201: Reply("Case", "新建的案件")},
)
def create_filing(call: ApiCall) -> Response:
    filing = service.create_filing(db_session(), call.who, _data(call.body))
    return _case_of(call, filing, 201)


@operation(
    "GET", "/filings/{id}", operation_id="get_filing", tag=TAG, params=(FILING_ID, REVEAL),
    summary="按备案编号查看案件",
    description="与 GET /cases/{id} 相同的案件详情，按备案编号查找。超出本人范围的返回 404。"
                "企业修改本企业草稿（或被退回的备案）时学员身份证号码完整显示，其余情况脱敏；"
                "区、市审核人员可加 `?reveal=id_numbers` 查看完整号码（记入安全审计日志）。",
    responses={200: Reply("Case", "案件详情")}, errors=(403,),
)
def get_filing(call: ApiCall) -> Response:
    return _case_of(call, service.get_filing(db_session(), call.who, call.path["id"]), reveal=True)


@operation(
    "PUT", "/filings/{id}", operation_id="update_filing", tag=TAG, roles=("enterprise",), params=(FILING_ID,),
    summary="修改草稿或被退回的备案",
    description="整体替换备案内容（未提供的可选字段清空）。仅 `draft`、`returned` 状态可修改，否则返回 409。",
    body="FilingInput", body_example=EXAMPLE, responses={200: Reply("Case", "修改后的案件")}, errors=(409,),
)
def update_filing(call: ApiCall) -> Response:
    return _case_of(call, service.save_filing(db_session(), call.who, call.path["id"], _data(call.body)))


@operation(
    "POST", "/filings/{id}/submit", operation_id="submit_filing", tag=TAG, roles=("enterprise",),
    params=(FILING_ID,), summary="提交（或修改后重新提交）备案",
    description="运行自动校验。有硬性错误时整个提交不生效，返回 422，`fields` 按字段列出全部错误"
                "（如 `trainees[2].id_number`）；通过时进入区人社局审核（`district_review`）。",
    responses={200: Reply("Case", "提交后的案件")}, errors=(409, 422),
)
def submit_filing(call: ApiCall) -> Response:
    return _case_of(call, service.submit_filing(db_session(), call.who, call.path["id"]))


@operation(
    "POST", "/filings/{id}/withdraw", operation_id="withdraw_filing", tag=TAG, roles=("enterprise",),
    params=(FILING_ID,), summary="撤回备案",
    description="区人社局作出决定前（或被退回待修改时）可以撤回；否则返回 409。请求体可省略。",
    body="Withdrawal", body_required=False, body_example={"comment": "培训计划调整"},
    responses={200: Reply("Case", "撤回后的案件")}, errors=(409,),
)
def withdraw_filing(call: ApiCall) -> Response:
    comment = ((call.body or {}).get("comment") or "").strip()
    return _case_of(call, service.withdraw_filing(db_session(), call.who, call.path["id"], comment))


@operation(
    "DELETE", "/filings/{id}", operation_id="delete_filing", tag=TAG, roles=("enterprise",), params=(FILING_ID,),
    summary="删除草稿",
    description="删除从未提交的草稿（连同其案件和证明材料），返回 204；其他任何状态返回 409（已提交的备案可以撤回）。",
    responses={204: Reply(None, "已删除")}, errors=(409,),
)
def delete_filing(call: ApiCall) -> Response:
    names = service.delete_draft(db_session(), call.who, call.path["id"])
    service.discard_files(upload_dir(), names)
    return Response(status=204)


@operation(
    "POST", "/filings/{id}/copy", operation_id="copy_filing", tag=TAG, roles=("enterprise",), params=(FILING_ID,),
    summary="复制为新备案",
    description="以本企业任一备案（含已撤回、未通过、已逾期关闭的）的内容和证明材料新建一份草稿，"
                "返回 201 和新案件。",
    responses={201: Reply("Case", "新建的案件")},
)
def copy_filing(call: ApiCall) -> Response:
    return _case_of(call, service.copy_filing_with_documents(db_session(), call.who, call.path["id"],
                                                             upload_dir=upload_dir()), 201)


ATTACHMENT_ID = Param("attachment_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "证明材料编号",
                      location="path", required=True, example=1)
ATTACHMENT_MAX_BODY = max(Config.UPLOAD_MAX_PICTURE_BYTES, Config.UPLOAD_MAX_DOCUMENT_BYTES) + MULTIPART_ROOM


def _attachment(a: FilingAttachment) -> dict[str, Any]:
    url = f"/filings/{a.filing_id}/attachments/{a.id}"
    return {"id": a.id, "filing_id": a.filing_id, "kind": a.kind, "kind_label": a.kind_label, "note": a.note,
            "format": a.format, "mime": a.mime, "original_name": a.original_name, "size_bytes": a.size_bytes,
            "url": url, "thumbnail_url": f"{url}?thumb=1" if a.thumb_name else None,
            "created_at": serializers.iso(a.created_at)}


def _spooled(view: Callable[..., Response]) -> Callable[..., Response]:
    """File parts are spooled next to the stored files (UPLOAD_DIR/tmp), as on the screens."""

    @wraps(view)
    def wrapped(**values: Any) -> Response:
        request.form_data_parser_class = SpoolingParser
        return view(**values)

    return wrapped


@operation(
    "GET", "/filings/{id}/attachments", operation_id="list_filing_attachments", tag=TAG, params=(FILING_ID,),
    summary="证明材料列表",
    description="备案的全部证明材料，以及按当前政策参数提交时必须具备的类别。范围与备案相同（范围外 404）。",
    responses={200: Reply("FilingAttachmentList", "证明材料")},
)
def list_filing_attachments(call: ApiCall) -> Response:
    session = db_session()
    filing = service.get_filing(session, call.who, call.path["id"])
    required = service.policy_in_force(session).required_attachment_kinds(filing.apprenticeship_type)
    return json_response({"items": [_attachment(a) for a in filing.attachments], "required_kinds": list(required)})


@operation(
    "POST", "/filings/{id}/attachments", operation_id="upload_filing_attachment", tag=TAG, roles=("enterprise",),
    params=(FILING_ID,), summary="上传证明材料",
    description="`multipart/form-data`：字段 `kind`（" + "、".join(service.ATTACHMENT_KINDS) + "）、"
                "`file`（一个文件）和可选的 `note`。类型按文件内容判断（PDF、JPEG/PNG、DOCX），伪装的文件被拒绝，"
                "大小上限与页面相同。仅草稿或退回修改时可以上传，否则 409。"
                "示例：`curl -F kind=labour_contract -F file=@劳动合同.pdf ...`",
    body="FilingAttachmentInput", body_media="multipart/form-data", max_body=ATTACHMENT_MAX_BODY,
    decorators=(_spooled,), responses={201: Reply("FilingAttachment", "上传的证明材料")}, errors=(409,),
)
def upload_filing_attachment(call: ApiCall) -> Response:
    unknown = sorted(set(request.files) - {"file"})
    if unknown:
        raise RequestInvalid("提交的内容有误，请按字段提示修改。", {name[:100]: ["不允许的字段"] for name in unknown})
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise RequestInvalid("请选择要上传的文件。", {"file": ["缺少文件（字段 file）"]})
    row = service.add_filing_attachment(db_session(), call.who, call.path["id"], service.IncomingDocument(
        stream=upload.stream, filename=upload.filename, mimetype=upload.mimetype, kind=call.body["kind"],
        note=call.body.get("note", "")), upload_dir=upload_dir(), limits=limits())
    return json_response(_attachment(row), 201)


@operation(
    "DELETE", "/filings/{id}/attachments/{attachment_id}", operation_id="delete_filing_attachment", tag=TAG,
    roles=("enterprise",), params=(FILING_ID, ATTACHMENT_ID), summary="删除证明材料",
    description="仅草稿或退回修改时可以删除，返回 204；否则 409。",
    responses={204: Reply(None, "已删除")}, errors=(409,),
)
def delete_filing_attachment(call: ApiCall) -> Response:
    service.delete_filing_attachment(db_session(), call.who, call.path["id"], call.path["attachment_id"],
                                     upload_dir=upload_dir())
    return Response(status=204)
